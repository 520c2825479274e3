"""GBV/SEA/SH confidentiality (SPEC §5.5, issue 9 §3): a sensitive case reaches no other role.

tests/grievances/test_visibility.py proves the scopes; test_sensitive_cases.py the referent's
own rights; test_search, test_queue_pagination, test_outbox, test_sweep, test_tracking and the
reporting tests each check one path for one persona. Here every other role goes through every
screen it has at once: the world with a sensitive case must look to it exactly like the world
without one (counts, exports, statistics), and no page it can open may name the case.
"""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grievances.queues import queues_for
from grievances.services import workflow as wf
from grievances.services.attachments import attachment_add
from grievances.services.intake import SensitiveDetails, grievance_register
from notifications.models import OutboxMessage
from pmpp.models import Channel
from tests.api.conftest import intake, make_account

pytestmark = pytest.mark.django_db


# Every signed-in role but the GBV referent, and the superuser.
OTHER_ROLES = ["salma", "youssef", "nadia", "karim", "leila", "omar", "amina", "hicham", "rachid", "admin_user"]

SECRET_NAME = "Zineb Oukacha"
SECRET_CNIE = "ZZ987654"
SECRET_PHONE = "0698765432"
SECRET_NATURE = "Chantage sexuel par le releveur"
DIRECT_NATURE = "Harcèlement par un agent payeur"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _postal():
    return Channel.objects.get(code="postal")


@pytest.fixture
def ordinary(walk):
    """Ordinary grievances in several states, including one at the partner and one overdue."""
    return [
        walk.register(),
        walk.qualified(),
        walk.routed(),
        walk.closed(),
        walk.at_partner(),
        walk.register(channel=_postal(), received_at=timezone.now() - timedelta(days=20)),
    ]


def _add_secrets(walk):
    """A grievance the agent moved to the referent (with a file joined first), and a direct intake."""
    flagged = walk.register(
        name=SECRET_NAME,
        cnie=SECRET_CNIE,
        phone=SECRET_PHONE,
        description=SECRET_NATURE,
        channel=_postal(),
        received_at=timezone.now() - timedelta(days=20),
    )
    attachment = attachment_add(
        grievance=flagged,
        actor=walk.agent,
        uploaded_file=SimpleUploadedFile("plainte.pdf", b"%PDF-1.4\n%secret\n", content_type="application/pdf"),
        description="",
    )
    flagged_case = wf.grievance_flag_sensitive(
        grievance=flagged, actor=walk.agent, details=SensitiveDetails(nature=SECRET_NATURE)
    )
    flagged.refresh_from_db()
    direct = grievance_register(
        actor=walk.agent,
        programme=walk.programme,
        channel=walk.channel,
        description="",
        sensitive=SensitiveDetails(nature=DIRECT_NATURE),
    ).sensitive_case
    return {
        "flagged": flagged,
        "flagged_case": flagged_case,
        "direct": direct,
        "attachment": attachment,
    }


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _what_they_see(client: Client, user) -> dict:
    """Every count and export the user has: nav badges, each queue's CSV and XLSX rows, the dashboard."""
    from openpyxl import load_workbook

    seen = {}
    home = client.get(reverse("home"))
    assert home.status_code == 200
    seen["badges"] = [(q["slug"], q["count"]) for q in home.context["nav_queues"]]
    for queue in queues_for(user):
        seen[f"queue {queue.slug}.csv"] = _body(
            client.get(reverse("grievances:queue_export", args=[queue.slug, "csv"]))
        )
        xlsx = _body(client.get(reverse("grievances:queue_export", args=[queue.slug, "xlsx"])))
        sheet = load_workbook(io.BytesIO(xlsx), read_only=True).active
        seen[f"queue {queue.slug}.xlsx"] = list(sheet.iter_rows(values_only=True))
    dashboard = client.get(reverse("reporting:dashboard_export", args=["csv"]))
    # The export's « Situation au » line is the minute it was made, not a figure.
    figures = b"\r\n".join(line for line in _body(dashboard).split(b"\r\n") if not line.startswith(b"Situation au"))
    seen["dashboard"] = (dashboard.status_code, figures if dashboard.status_code == 200 else b"")
    return seen


@pytest.mark.parametrize("persona", OTHER_ROLES)
def test_a_sensitive_case_changes_no_count_or_export_another_role_sees(request, client, walk, ordinary, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    before = _what_they_see(client, user)

    _add_secrets(walk)

    assert _what_they_see(client, user) == before


def _names_the_secret(text: str, secrets: dict) -> list[str]:
    handles = [
        SECRET_NAME,
        SECRET_CNIE,
        SECRET_PHONE[1:],
        SECRET_NATURE,
        DIRECT_NATURE,
        secrets["flagged"].reference,
        secrets["flagged"].tracking_code,
        secrets["flagged_case"].reference,
        secrets["direct"].reference,
    ]
    return [handle for handle in handles if handle in text]


@pytest.mark.parametrize("persona", OTHER_ROLES)
def test_no_screen_another_role_opens_names_the_sensitive_case(request, client, walk, ordinary, persona):
    user = request.getfixturevalue(persona)
    secrets = _add_secrets(walk)
    flagged = secrets["flagged"]
    client.force_login(user)

    pages = [reverse("home"), reverse("reporting:dashboard"), reverse("reporting:report_list")]
    pages += [reverse("grievances:queue", args=[queue.slug]) for queue in queues_for(user)]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        assert _names_the_secret(response.content.decode(), secrets) == [], url

    # Search by every handle a colleague might type (the page repeats the term in its box).
    # Ministry staff have no search at all (issue 17): they are refused before any term is read.
    terms = [SECRET_NAME, "oukacha", SECRET_CNIE, SECRET_PHONE, flagged.reference, flagged.tracking_code]
    terms += [secrets["flagged_case"].reference, secrets["direct"].reference]
    searches = user.has_perm("grievances.view_grievance")
    for term in terms:
        response = client.post(reverse("grievances:search"), {"q": term}, follow=True)
        assert response.status_code == (200 if searches else 403)
        if searches:
            # To a results page, never straight to a file: the moved case's handles designate nothing.
            [(landed, status)] = response.redirect_chain
            assert (status, landed.startswith(reverse("grievances:search"))) == (303, True), term
        results = response.content.decode().replace(f'value="{term}"', "")
        assert _names_the_secret(results, secrets) == [], term

    # The file, its steps, its attachment, the sensitive screens and the admin: 404 or refused.
    closed_doors = [
        reverse("grievances:detail", args=[flagged.pk]),
        reverse("grievances:step", args=[flagged.pk, "qualify"]),
        reverse("grievances:attachment_download", args=[secrets["attachment"].pk]),
        reverse("grievances:sensitive_list"),
        reverse("grievances:sensitive_detail", args=[secrets["direct"].pk]),
        reverse("grievances:sensitive_detail", args=[secrets["flagged_case"].pk]),
        reverse("admin:grievances_grievance_change", args=[flagged.pk]),
        reverse("admin:grievances_grievance_history", args=[flagged.pk]),
        reverse("admin:grievances_grievance_simple_history", args=[flagged.pk, flagged.history.earliest().pk]),
        reverse("admin:grievances_sensitivecase_changelist"),
        reverse("admin:grievances_sensitivecase_change", args=[secrets["direct"].pk]),
        reverse("admin:grievances_sensitivecase_history", args=[secrets["direct"].pk]),
        reverse(
            "admin:grievances_sensitivecase_simple_history",
            args=[secrets["direct"].pk, secrets["direct"].history.earliest().pk],
        ),
    ]
    for url in closed_doors:
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert _names_the_secret(_body(response).decode(errors="replace"), secrets) == [], url
    admin_list = client.get(reverse("admin:grievances_grievance_changelist"), {"q": flagged.reference})
    if admin_list.status_code == 200:
        assert admin_list.context["cl"].result_count == 0


def test_the_admin_still_shows_the_history_of_an_ordinary_grievance(client, walk, admin_user):
    grievance = walk.qualified()
    client.force_login(admin_user)
    version = grievance.history.earliest().pk
    assert client.get(reverse("admin:grievances_grievance_history", args=[grievance.pk])).status_code == 200
    version_page = client.get(reverse("admin:grievances_grievance_simple_history", args=[grievance.pk, version]))
    assert version_page.status_code == 200


def test_the_file_of_the_same_complainant_does_not_point_to_the_case_moved_away(client, walk, salma):
    earlier = walk.closed(cnie=SECRET_CNIE, name=SECRET_NAME)
    secrets = _add_secrets(walk)
    client.force_login(salma)
    page = client.get(reverse("grievances:detail", args=[earlier.pk])).content.decode()
    assert SECRET_NAME in page  # the complainant's own ordinary file still shows them
    assert secrets["flagged"].reference not in page
    assert SECRET_NATURE not in page


@pytest.mark.parametrize("extra_roles", [[], ["agent"]])
def test_the_api_lists_counts_and_details_no_sensitive_case(walk, ordinary, extra_roles):
    _account, api = make_account(name="integration", extra_roles=extra_roles)
    created = api.post(reverse("api:grievances"), intake())
    assert created.status_code == 201, created.json()
    year, quarter = timezone.localdate().year, (timezone.localdate().month - 1) // 3 + 1
    statistics = {"period": "quarter", "year": year, "number": quarter, "group_by": "channel"}

    def seen() -> dict:
        return {
            "list": api.get(reverse("api:grievances"), {"page_size": 200}).json(),
            "commitments": api.get(reverse("api:commitments")).json(),
            # The figures, without the instant they were computed at, which moves between two calls.
            "statistics": api.get(reverse("api:statistics"), statistics).json() | {"as_of": None},
            "updated": api.get(reverse("api:grievances"), {"updated_since": "2000-01-01T00:00:00Z"}).json(),
        }

    before = seen()
    assert before["list"]["results"]
    secrets = _add_secrets(walk)
    assert seen() == before
    assert api.get(reverse("api:grievance", args=[secrets["flagged"].reference])).status_code == 404
    assert api.get(reverse("api:grievance", args=[secrets["direct"].reference])).status_code == 404


def test_the_deadline_sweep_tells_no_colleague_about_an_overdue_grievance_moved_to_the_referent(walk, nadia, salma):
    from notifications.sweep import deadline_sweep

    for user in (salma, nadia):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    secrets = _add_secrets(walk)
    flagged = secrets["flagged"]
    assert flagged.due_on < timezone.localdate()  # it would have been overdue

    deadline_sweep(now=timezone.now())

    for message in OutboxMessage.objects.exclude(recipient_user__username="meryem"):
        assert _names_the_secret(f"{message.subject} {message.text} {message.address}", secrets) == []
    assert not OutboxMessage.objects.filter(grievance=flagged).exclude(status=OutboxMessage.Status.CANCELLED).exists()


def test_the_public_statistics_count_no_sensitive_case(client, walk, ordinary):
    def cells() -> list:
        page = client.get(reverse("reporting:public_statistics"))
        return [(row["programme"].pk, row["cells"]) for row in page.context["programmes"]]

    before = cells()
    secrets = _add_secrets(walk)
    assert cells() == before
    assert _names_the_secret(client.get(reverse("reporting:public_statistics")).content.decode(), secrets) == []
