"""The personal-data access log (Law 09-08; issue 9 §3 and §5): who viewed which person's data.

Every screen, API answer and download that shows a person's data writes one line naming the
reader and the objects read; a read of a GBV/SEA/SH case by the referent is marked sensitive.
The line holds ids, never the CNIE, phone or name, and nobody may edit or erase it.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grievances.services import workflow as wf
from grievances.services.attachments import attachment_add
from grievances.services.intake import SensitiveDetails, grievance_register
from pmpp import roles
from pmpp.audit import history_rewrite_allowed
from privacy.access import AccessChannel, record_views
from privacy.models import PersonalDataAccess
from privacy.selectors import accesses_to_grievance, accesses_to_person, accesses_to_sensitive_case
from tests.api.conftest import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(walk):
    return grievance_register(
        actor=walk.agent,
        programme=walk.programme,
        channel=walk.channel,
        description="",
        sensitive=SensitiveDetails(nature="Un agent payeur a exigé une faveur"),
    ).sensitive_case


@pytest.fixture
def husk(walk):
    """A grievance the agent moved to the GBV referent, and its sensitive case."""
    grievance = walk.register()
    sensitive_case = wf.grievance_flag_sensitive(
        grievance=grievance, actor=walk.agent, details=SensitiveDetails(nature="Propos déplacés")
    )
    grievance.refresh_from_db()
    return grievance, sensitive_case


def _only_line() -> PersonalDataAccess:
    assert PersonalDataAccess.objects.count() == 1
    return PersonalDataAccess.objects.get()


# --- the GBV referent: every read of a sensitive case is logged ------------------------------------------------


def test_the_referent_opening_a_sensitive_case_is_logged_as_a_sensitive_read(client, case, meryem):
    client.force_login(meryem)
    assert client.get(reverse("grievances:sensitive_detail", args=[case.pk])).status_code == 200
    line = _only_line()
    assert (line.user, line.channel, line.sensitive) == (meryem, AccessChannel.PAGE, True)
    assert (line.sensitive_case_ids, line.grievance_ids) == ([case.pk], [])
    assert list(accesses_to_sensitive_case(case_id=case.pk)) == [line]


def test_each_action_of_the_referent_on_the_case_page_is_a_read_too(client, case, meryem):
    client.force_login(meryem)
    client.get(reverse("grievances:sensitive_detail", args=[case.pk]))
    # A refused referral re-renders the page with the case: a second read.
    client.post(reverse("grievances:sensitive_detail", args=[case.pk]), {"action": "refer", "service_provider": ""})
    assert accesses_to_sensitive_case(case_id=case.pk).filter(user=meryem, sensitive=True).count() == 2


def test_the_referent_opening_the_husk_of_a_flagged_grievance_is_logged(client, husk, meryem):
    grievance, _case = husk
    client.force_login(meryem)
    assert client.get(reverse("grievances:detail", args=[grievance.pk])).status_code == 200
    line = _only_line()
    assert (line.user, line.grievance_ids, line.where) == (meryem, [grievance.pk], "grievances:detail")


def test_the_referent_reading_the_husk_through_the_api_is_logged(husk):
    grievance, _case = husk
    account, api = make_account(name="referent-api", extra_roles=[roles.GBV_REFERENT])
    response = api.get(reverse("api:grievance", args=[grievance.reference]))
    assert response.status_code == 200
    line = _only_line()
    assert (line.user, line.channel, line.grievance_ids) == (account.user, AccessChannel.API, [grievance.pk])


def test_a_file_moved_to_the_case_is_downloaded_by_the_referent_only_and_logged_as_a_sensitive_read(
    client, walk, meryem, salma
):
    grievance = walk.register()
    attachment = attachment_add(
        grievance=grievance,
        actor=walk.agent,
        uploaded_file=SimpleUploadedFile("lettre.pdf", b"%PDF-1.4\n", content_type="application/pdf"),
        description="",
    )
    case = wf.grievance_flag_sensitive(grievance=grievance, actor=walk.agent, details=SensitiveDetails(nature="x"))
    client.force_login(salma)
    assert client.get(reverse("grievances:attachment_download", args=[attachment.pk])).status_code == 404
    assert not PersonalDataAccess.objects.exists()

    client.force_login(meryem)
    assert client.get(reverse("grievances:attachment_download", args=[attachment.pk])).status_code == 200
    line = _only_line()
    assert (line.user, line.channel, line.sensitive) == (meryem, AccessChannel.DOWNLOAD, True)
    assert (line.sensitive_case_ids, line.grievance_ids) == ([case.pk], [])


def test_a_refused_read_is_not_a_read(client, case, salma, leila):
    for user in (salma, leila):
        client.force_login(user)
        assert client.get(reverse("grievances:sensitive_detail", args=[case.pk])).status_code == 404
    assert not PersonalDataAccess.objects.exists()


# --- ordinary grievances: file page, search, API, download ---------------------------------------------------


def test_the_file_page_logs_who_read_the_grievance(client, walk, salma):
    grievance = walk.register()
    client.force_login(salma)
    client.get(reverse("grievances:detail", args=[grievance.pk]))
    line = _only_line()
    assert (line.user, line.channel, line.grievance_ids, line.sensitive) == (
        salma,
        AccessChannel.PAGE,
        [grievance.pk],
        False,
    )


def test_a_search_writes_one_line_naming_every_result_in_one_insert(client, walk, salma):
    found = [walk.register(name="Aicha Alaoui") for _ in range(3)]
    walk.register(name="Rare Nom")
    client.force_login(salma)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(reverse("grievances:search"), {"q": "aicha alaoui"}, follow=True).status_code == 200
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT") and "privacy_personaldataaccess" in q["sql"]]
    assert len(inserts) == 1
    line = _only_line()
    assert (line.channel, line.grievance_ids, line.object_count) == (
        AccessChannel.SEARCH,
        sorted(g.pk for g in found),
        3,
    )


def test_a_search_that_finds_nothing_leaves_no_line(client, walk, salma):
    walk.register()
    client.force_login(salma)
    client.post(reverse("grievances:search"), {"q": "Personne Inconnue"}, follow=True)
    assert not PersonalDataAccess.objects.exists()


def test_the_api_detail_and_a_step_answer_are_logged(walk):
    account, api = make_account(name="centre", extra_roles=[roles.AGENT])
    grievance = walk.register()
    assert api.get(reverse("api:grievance", args=[grievance.reference])).status_code == 200
    step = api.post(
        reverse("api:step-qualify", args=[grievance.reference]),
        {
            "category": grievance.category.code,
            "subject": "Paiement non reçu",
            "nature": "individual",
            "identity_verified": True,
            "expected_status": "received",
        },
    )
    assert step.status_code == 200, step.json()
    lines = accesses_to_grievance(grievance_id=grievance.pk).order_by("id")
    assert [(line.user, line.channel, line.where, line.grievance_ids) for line in lines] == [
        (account.user, AccessChannel.API, "api:grievance", [grievance.pk]),
        (account.user, AccessChannel.API, "api:transition", [grievance.pk]),
    ]


def test_downloading_an_attachment_is_logged(client, walk, salma):
    grievance = walk.register()
    attachment = attachment_add(
        grievance=grievance,
        actor=salma,
        uploaded_file=SimpleUploadedFile("cnie.pdf", b"%PDF-1.4\n", content_type="application/pdf"),
        description="",
    )
    client.force_login(salma)
    assert client.get(reverse("grievances:attachment_download", args=[attachment.pk])).status_code == 200
    line = _only_line()
    assert (line.channel, line.grievance_ids) == (AccessChannel.DOWNLOAD, [grievance.pk])


# --- the log itself ----------------------------------------------------------------------------------------------


def test_the_line_holds_no_name_cnie_or_phone(client, walk, salma):
    grievance = walk.register(name="Khadija Bennani", cnie="QX445566", phone="0677889900")
    client.force_login(salma)
    client.get(reverse("grievances:detail", args=[grievance.pk]))
    client.post(reverse("grievances:search"), {"q": "QX445566"}, follow=True)
    stored = " ".join(str(value) for row in PersonalDataAccess.objects.values() for value in row.values())
    assert PersonalDataAccess.objects.count() == 2
    for personal in ("Khadija", "Bennani", "QX445566", "677889900"):
        assert personal not in stored


def test_who_viewed_a_person_is_found_through_the_grievances_carrying_their_cnie(client, walk, salma, leila):
    first = walk.closed(cnie="QX445566")
    second = walk.register(cnie="QX445566")
    someone_else = walk.register(cnie="QX000001")
    client.force_login(salma)
    client.get(reverse("grievances:detail", args=[first.pk]))
    client.get(reverse("grievances:detail", args=[someone_else.pk]))
    client.force_login(leila)
    client.get(reverse("grievances:detail", args=[second.pk]))

    reads = accesses_to_person(cnie="qx 445566")
    assert {(line.user.username, tuple(line.grievance_ids)) for line in reads} == {
        ("salma", (first.pk,)),
        ("leila", (second.pk,)),
    }
    assert not accesses_to_person(cnie="ZZ999999").exists()


def test_looking_up_an_id_does_not_match_another_id_that_contains_its_digits(salma):
    record_views(salma, channel=AccessChannel.EXPORT, grievances=[11, 110, 21])
    assert not PersonalDataAccess.objects.of_grievance(1).exists()
    assert PersonalDataAccess.objects.of_grievance(110).count() == 1


def test_nothing_read_nothing_logged(salma):
    from django.contrib.auth.models import AnonymousUser

    assert record_views(salma, channel=AccessChannel.PAGE) is None
    assert record_views(AnonymousUser(), channel=AccessChannel.PAGE, grievances=[1]) is None
    assert not PersonalDataAccess.objects.exists()


def test_an_unknown_channel_is_refused(salma):
    with pytest.raises(ValueError, match="telepathy"):
        record_views(salma, channel="telepathy", grievances=[1])


def test_the_log_is_append_only_from_every_path(salma):
    line = record_views(salma, channel=AccessChannel.PAGE, grievances=[1])
    table = PersonalDataAccess._meta.db_table
    attempts = [
        lambda: PersonalDataAccess.objects.filter(pk=line.pk).update(user=None),
        lambda: PersonalDataAccess.objects.filter(pk=line.pk).delete(),
        lambda: connection.cursor().execute(f"UPDATE {table} SET grievance_ids = '[]'"),  # noqa: S608
        lambda: connection.cursor().execute(f"DELETE FROM {table}"),  # noqa: S608
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    line.refresh_from_db()
    assert line.grievance_ids == [1]
    # The one sanctioned way round it, as for history (the test runner's flush uses it).
    with history_rewrite_allowed():
        PersonalDataAccess.objects.filter(pk=line.pk).delete()
    assert not PersonalDataAccess.objects.exists()


# --- the screen: the E&S focal point consults the reads of a grievance -------------------------------------------

LOG_URL = "privacy:access_log"


def test_the_focal_point_sees_who_read_a_grievance(client, walk, salma, leila):
    grievance = walk.register()
    other = walk.register()
    client.force_login(salma)
    client.get(reverse("grievances:detail", args=[grievance.pk]))
    client.get(reverse("grievances:detail", args=[other.pk]))
    client.force_login(leila)
    page = client.get(reverse(LOG_URL), {"reference": grievance.reference.lower()})
    assert page.status_code == 200
    assert [(read.user, read.grievance_ids) for read in page.context["reads"]] == [(salma, [grievance.pk])]
    assert "salma" in page.content.decode()


def test_the_log_screen_does_not_reveal_a_case_moved_to_the_gbv_referent(client, husk, leila, meryem):
    grievance, _case = husk
    client.force_login(meryem)
    client.get(reverse("grievances:detail", args=[grievance.pk]))
    assert accesses_to_grievance(grievance_id=grievance.pk).exists()
    client.force_login(leila)
    page = client.get(reverse(LOG_URL), {"reference": grievance.reference})
    assert page.status_code == 200
    assert (page.context["grievance"], page.context["reads"]) == (None, [])
    assert "introuvable" in page.content.decode()
    assert "meryem" not in page.content.decode()


@pytest.mark.parametrize("persona", ["salma", "nadia", "omar", "meryem", "amina"])
def test_only_the_focal_point_may_open_the_log(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(LOG_URL)).status_code == 403
