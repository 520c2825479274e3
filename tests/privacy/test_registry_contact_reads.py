"""Reads of the stakeholder registry's contacts go to the personal-data access log (issue 17, item b).

A stakeholder's contact person, e-mail, phone and address, and a representative's contact,
are a person's data (Law 09-08) like a complainant's: the page, the edit form and the export
that show them write one line of `privacy.PersonalDataAccess` naming the reader and the ids,
never the name, phone or e-mail. A page that shows no contact writes nothing.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmpp import roles
from pmpp.audit_chain import verify_chain
from privacy import selectors
from privacy.access import AccessChannel
from privacy.models import PersonalDataAccess
from stakeholders.models import Representative, Stakeholder
from tests.api.conftest import make_account
from tests.stakeholders.builders import make_group, make_representative, make_stakeholder

pytestmark = pytest.mark.django_db

CONTACT = {
    "contact_name": "Naima Ouazzani",
    "email": "naima.ouazzani@example.ma",
    "phone": "0661778899",
    "address": "14 rue Ibn Battouta, Taroudant",
}
REPRESENTATIVE_CONTACT = "0672334455 / rachid.amrani@example.ma"
PERSONAL = ("Naima", "Ouazzani", "naima.ouazzani", "0661778899", "Ibn Battouta", "0672334455", "rachid.amrani")


@pytest.fixture
def stakeholder(db):
    return make_stakeholder("Association des parents d'élèves de Taroudant", **CONTACT)


@pytest.fixture
def representative(db):
    return make_representative("Rachid Amrani", group=make_group(1), contact=REPRESENTATIVE_CONTACT)


def _only_line() -> PersonalDataAccess:
    assert PersonalDataAccess.objects.count() == 1
    return PersonalDataAccess.objects.get()


def _log_inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("INSERT") and "privacy_personaldataaccess" in q["sql"]]


def test_the_stakeholder_page_showing_a_contact_writes_one_line_with_its_id(client, stakeholder, nadia):
    client.force_login(nadia)

    page = client.get(reverse("stakeholders:stakeholder_detail", args=[stakeholder.pk]))

    assert page.status_code == 200
    assert CONTACT["phone"] in page.content.decode()
    line = _only_line()
    assert (line.user, line.channel, line.where) == (nadia, AccessChannel.PAGE, "stakeholders:stakeholder_detail")
    assert (line.stakeholder_ids, line.representative_ids, line.grievance_ids, line.sensitive_case_ids) == (
        [stakeholder.pk],
        None,
        [],
        [],
    )
    assert (line.object_count, line.sensitive) == (1, False)
    assert list(selectors.accesses_to_stakeholder(stakeholder_id=stakeholder.pk)) == [line]


def test_the_representative_page_showing_a_contact_writes_one_line_with_its_id(client, representative, leila):
    client.force_login(leila)

    page = client.get(reverse("stakeholders:representative_detail", args=[representative.pk]))

    assert page.status_code == 200
    assert REPRESENTATIVE_CONTACT in page.content.decode()
    line = _only_line()
    assert (line.user, line.channel, line.where) == (leila, AccessChannel.PAGE, "stakeholders:representative_detail")
    assert (line.representative_ids, line.stakeholder_ids, line.object_count) == ([representative.pk], None, 1)
    assert list(selectors.accesses_to_representative(representative_id=representative.pk)) == [line]


def test_the_edit_form_filled_with_the_contact_is_a_read_too(client, stakeholder, representative, leila):
    client.force_login(leila)

    assert client.get(reverse("stakeholders:stakeholder_edit", args=[stakeholder.pk])).status_code == 200
    assert client.get(reverse("stakeholders:representative_edit", args=[representative.pk])).status_code == 200

    lines = PersonalDataAccess.objects.order_by("id")
    assert [(line.where, line.stakeholder_ids, line.representative_ids) for line in lines] == [
        ("stakeholders:stakeholder_edit", [stakeholder.pk], None),
        ("stakeholders:representative_edit", None, [representative.pk]),
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exports_name_every_row_with_a_contact_in_one_insert(client, leila, fmt):
    with_contacts = [make_representative(f"Représentant {n}", contact=f"06610000{n}0") for n in range(3)]
    without = make_representative("Sans contact")
    stakeholders = [make_stakeholder(f"Partie {n}", phone=f"06620000{n}0") for n in range(2)]
    make_stakeholder("Partie sans contact")
    client.force_login(leila)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("stakeholders:representative_export", args=[fmt])).status_code == 200
        assert client.get(reverse("stakeholders:stakeholder_export", args=[fmt])).status_code == 200

    assert len(_log_inserts(queries)) == 2
    representatives_line, stakeholders_line = PersonalDataAccess.objects.order_by("id")
    expected = sorted(Representative.objects.exclude(contact="").values_list("pk", flat=True))
    assert set(expected) >= {r.pk for r in with_contacts}
    assert without.pk not in expected
    assert (representatives_line.channel, representatives_line.where, representatives_line.representative_ids) == (
        AccessChannel.EXPORT,
        "stakeholders:representative_export",
        expected,
    )
    assert stakeholders_line.where == "stakeholders:stakeholder_export"
    assert set(stakeholders_line.stakeholder_ids) >= {s.pk for s in stakeholders}
    assert set(stakeholders_line.stakeholder_ids) == set(
        Stakeholder.objects.exclude(contact_name="", email="", phone="", address="").values_list("pk", flat=True)
    )


def test_a_page_or_a_list_that_shows_no_contact_writes_nothing(client, representative, leila):
    bare = make_stakeholder("Partie sans contact")
    client.force_login(leila)

    pages = [
        reverse("stakeholders:stakeholder_detail", args=[bare.pk]),
        reverse("stakeholders:group_detail", args=[representative.group_id]),  # names, no contact
        reverse("stakeholders:representative_list"),  # names and mandates, no contact
        reverse("stakeholders:stakeholder_list"),
        reverse("stakeholders:mandates_due"),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url

    assert not PersonalDataAccess.objects.exists()


def test_a_refused_read_is_not_a_read(client, stakeholder, representative, salma):
    client.force_login(salma)  # an agent does not read the registry

    assert client.get(reverse("stakeholders:stakeholder_detail", args=[stakeholder.pk])).status_code == 403
    assert client.get(reverse("stakeholders:representative_export", args=["csv"])).status_code == 403

    assert not PersonalDataAccess.objects.exists()


def test_the_line_holds_no_name_phone_or_email_and_stays_chained(client, stakeholder, representative, nadia):
    client.force_login(nadia)
    client.get(reverse("stakeholders:stakeholder_detail", args=[stakeholder.pk]))
    client.get(reverse("stakeholders:representative_detail", args=[representative.pk]))
    client.get(reverse("stakeholders:representative_export", args=["csv"]))

    stored = " ".join(str(value) for row in PersonalDataAccess.objects.values() for value in row.values())
    assert PersonalDataAccess.objects.count() == 3
    assert [part for part in PERSONAL if part in stored] == []
    assert verify_chain().broken is None


def test_the_registry_api_shows_no_contact_so_it_has_nothing_to_log(stakeholder, representative):
    _account, api = make_account(name="registre", extra_roles=[roles.ES_FOCAL_POINT])

    response = api.get("/api/v1/stakeholders/")

    assert response.status_code == 200
    assert [part for part in PERSONAL if part in response.content.decode()] == []
    assert not PersonalDataAccess.objects.exists()
