"""Hostile text typed into the free-text fields stays text (issue 9, item 8).

The corpus goes in through the screens people use (public portal, back-office intake, a
workflow step, the stakeholder registry's activity, concern and minutes forms) and through the
API; then every page that shows it is parsed: the text must read literally, and no script, event
handler, javascript: link or template evaluation may come out of it. Exports keep it as text and
neutralise a leading formula character.
"""

import csv
import io
import re
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse

from grievances.models import Grievance
from pmpp import roles
from pmpp.models import ComplaintCategory
from stakeholders.models import EngagementActivity
from tests.api.conftest import intake, make_account
from tests.factories import intake_form_data
from tests.security.test_inline_markup import inline_markup
from tests.stakeholders.builders import make_stakeholder, organisation, programme

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # right-to-left override: « cod.exe » shown as « exe.doc »
CORPUS = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "url": "javascript:alert(document.cookie)",
    "template": "{{ 7|add:1 }}{% now 'Y' %}",
    "arabic": f"شكاية بخصوص المنحة {RLO}cod.exe",
}
# Every entry at once, as one value short enough for a 150-character name field.
ALL = " ".join(CORPUS.values())
LONG = ("<b>منحة</b> " * 400)[:3000].rstrip()


class Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def shown_text(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return "".join(parser.parts)


def assert_inert(response, *values: str) -> None:
    """The page reads each value literally and runs nothing from it."""
    assert response.status_code == 200
    html = response.content.decode()
    assert inline_markup(html).problems == []
    text = shown_text(html)
    for value in values:
        assert value in text, value[:60]
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html


def test_a_complaint_filed_on_the_portal_is_shown_inert_to_the_back_office(tayssir, payment_category, salma):
    visitor = Client()
    filed = visitor.post(
        reverse("portal:file"),
        {
            "programme": tayssir.pk,
            "category": payment_category.pk,
            "description": ALL + "\n" + LONG,
            "complainant_name": ALL[:150],
            "complainant_cnie": "AB123456",
            "complainant_phone": "0612345678",
            "preferred_contact": "sms",
        },
    )
    assert filed.status_code == 302, filed.context["form"].errors
    grievance = Grievance.objects.get()
    assert grievance.description == ALL + "\n" + LONG

    office = Client()
    office.force_login(salma)
    assert_inert(office.get(reverse("grievances:detail", args=[grievance.pk])), ALL, LONG)
    assert_inert(office.get(reverse("grievances:queue", args=["toutes"])))
    # Search results and the complainant's page show the name: as text.
    assert_inert(office.post(reverse("grievances:search"), {"q": "AB123456"}, follow=True), ALL[:150])
    assert_inert(office.get(reverse("grievances:complainant", args=[grievance.pk])), ALL[:150])


def test_a_complaint_entered_at_the_back_office_and_its_step_reasons_are_shown_inert(tayssir, payment_category, salma):
    client = Client()
    client.force_login(salma)
    entered = client.post(
        reverse("grievances:intake"),
        intake_form_data(description=ALL, name=ALL[:150], external_reference=CORPUS["script"]),
    )
    assert entered.status_code == 302, entered.content.decode()[:3000]
    grievance = Grievance.objects.get()

    stepped = client.post(
        reverse("grievances:step", args=[grievance.pk, "qualify"]),
        {
            "expected_status": "received",
            "category": payment_category.pk,
            "subject": ALL[:200],
            "nature": "individual",
            "identity_verified": "on",
            "comment": ALL,
        },
    )
    assert stepped.status_code == 302, stepped.content.decode()[:3000]
    analysed = client.post(
        reverse("grievances:step", args=[grievance.pk, "analyse"]),
        {"expected_status": "qualified", "analysis_conclusion": ALL, "outcome": "founded"},
    )
    assert analysed.status_code == 302

    assert_inert(client.get(reverse("grievances:detail", args=[grievance.pk])), ALL, ALL[:150])


def test_an_internal_note_is_shown_inert_on_the_file_its_timeline_and_its_refusal(walk, salma, youssef):
    grievance = walk.register()
    client = Client()
    client.force_login(salma)

    saved = client.post(reverse("grievances:note_add", args=[grievance.pk]), {"body": ALL, "mentions": [youssef.pk]})
    refused = client.post(reverse("grievances:note_add", args=[grievance.pk]), {"body": f"@inconnu {ALL}"})

    assert saved.status_code == 302
    page = client.get(reverse("grievances:detail", args=[grievance.pk]))
    assert_inert(page, ALL)
    assert shown_text(page.content.decode()).count(CORPUS["script"]) == 2  # the notes panel and the timeline
    assert_inert(refused, f"@inconnu {ALL}")


def test_a_complaint_sent_through_the_api_is_stored_as_sent_and_shown_inert(walk, salma):
    _account, api = make_account(name="corpus")
    created = api.post(reverse("api:grievances"), intake(description=ALL, name=ALL[:150]), **{"Idempotency-Key": "k1"})
    assert created.status_code == 201, created.content
    assert created["Content-Type"] == "application/json"
    assert created.json()["reference"]
    grievance = Grievance.objects.get(reference=created.json()["reference"])
    assert grievance.description == ALL

    client = Client()
    client.force_login(salma)
    assert_inert(client.get(reverse("grievances:detail", args=[grievance.pk])), ALL)


def test_registry_activity_concern_and_minutes_are_shown_inert(leila):
    client = Client()
    client.force_login(leila)
    created = client.post(
        reverse("stakeholders:activity_create"),
        {
            "type": "public_consultation",
            "title": ALL[:200],
            "place": CORPUS["attribute"],
            "start_date": "2024-05-14",
            "organiser": organisation("cnss").pk,
            "programmes": [programme("amo-tadamon").pk],
            "participants_women": "3",
            "participants_men": "2",
            "participants_unspecified": "0",
            "vulnerable_participants": "0",
            "languages": ["darija"],
        },
    )
    assert created.status_code == 302, created.content.decode()[:3000]
    activity = EngagementActivity.objects.get(place=CORPUS["attribute"])
    concern = client.post(
        reverse("stakeholders:concern_add", args=[activity.pk]),
        {"theme": CORPUS["url"], "description": ALL, "answer": CORPUS["template"]},
    )
    assert concern.status_code == 302
    minutes = client.post(reverse("stakeholders:minutes_write", args=[activity.pk]), {"text": ALL + "\n" + LONG})
    assert minutes.status_code == 302

    page = client.get(reverse("stakeholders:activity_detail", args=[activity.pk]))
    assert_inert(page, ALL[:200], CORPUS["attribute"], CORPUS["url"], CORPUS["template"], LONG)
    assert 'href="javascript' not in page.content.decode().lower()
    assert_inert(client.get(reverse("stakeholders:activity_list")), ALL[:40])


# --- exports ---------------------------------------------------------------------------------------------

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def _csv_cells(response) -> list[str]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(content)) for cell in row]


def _xlsx_cells(response) -> list[str]:
    """Every cell as Excel stores it: shared and inline strings, and any formula element."""
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    cells = []
    for name in archive.namelist():
        if name.startswith("xl/worksheets/sheet") or name == "xl/sharedStrings.xml":
            root = ElementTree.fromstring(archive.read(name))  # noqa: S314 (our own export)
            assert root.find(f".//{main}f") is None, f"a formula in {name}"
            cells += ["".join(t.itertext()) for t in root.iter(f"{main}t")]
    # Excel escapes control characters as _xHHHH_ (a carriage return is _x000D_).
    return [re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), cell) for cell in cells]


def _assert_neutralised(cells: list[str], values: list[str]) -> None:
    for value in values:
        assert "'" + value in cells, repr(value)
        assert value not in cells, repr(value)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_queue_export_neutralises_every_formula_prefix_and_keeps_the_corpus_as_text(walk, salma, fmt):
    """The queue export holds no free text typed by a complainant; its text columns come from
    reference data that the reference administrators type in the admin (here, category names)."""
    for n, name in enumerate([*FORMULAS, ALL]):
        category = ComplaintCategory.objects.get(pk=walk.category.pk)
        category.pk = None
        category.code, category.name = f"corpus-{n}", name
        category.save()
        walk.register(category=category)
    client = Client()
    client.force_login(salma)

    response = client.get(reverse("grievances:queue_export", args=["toutes", fmt]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    cells = _csv_cells(response) if fmt == "csv" else _xlsx_cells(response)
    _assert_neutralised(cells, FORMULAS)
    assert ALL in cells


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_registry_export_neutralises_every_formula_prefix(leila, fmt):
    for formula in FORMULAS:
        make_stakeholder(name=formula)
    client = Client()
    client.force_login(leila)

    response = client.get(reverse("stakeholders:stakeholder_export", args=[fmt]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    cells = _csv_cells(response) if fmt == "csv" else _xlsx_cells(response)
    _assert_neutralised(cells, FORMULAS)


def test_the_api_answers_json_that_a_browser_will_not_render(walk):
    grievance = walk.register(description=ALL)
    _account, api = make_account(name="lecture", extra_roles=[roles.AGENT])
    response = api.get(reverse("api:grievance", args=[grievance.reference]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert ComplaintCategory.objects.exists()
