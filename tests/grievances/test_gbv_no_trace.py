"""Flagging a case as GBV/SEA/SH leaves no trace outside (security issue 17, finding 1).

Whoever holds the receipt — the complainant, a household member, the alleged perpetrator —
must not learn that the case moved to the GBV referent: the tracking page answers the same
code and the same CNIE or phone as a minute before, with what any case in treatment shows.
Nothing is sent to the complainant. The husk left behind holds no identity, in its history
rows neither, and no file; the identity and the files live in the sensitive case, for the
referent only. The consent is asked once, when the case is flagged.
"""

import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grievances.models import Attachment, Grievance, SensitiveCase
from grievances.services import sensitive as sensitive_services
from grievances.services import workflow as wf
from grievances.services.attachments import attachment_add
from grievances.services.intake import SensitiveDetails
from notifications.exchanges import exchange_record
from notifications.models import Exchange, OutboxMessage
from notifications.services import notification_send_due
from pmpp.audit_chain import verify_chain
from pmpp.models import AuditLink
from tests.notifications.conftest import sms_outbox  # noqa: F401  (SMS kept in memory)
from tests.portal.conftest import (  # noqa: F401  (fixtures of the public pages)
    CNIE,
    PHONE,
    file_online,
    track,
    web,
    without_csrf,
)

pytestmark = pytest.mark.django_db

TRACKED_URL = "/suivre-ma-reclamation/dossier/"
RATE_URL = "/suivre-ma-reclamation/satisfaction/"
APPEAL_URL = "/suivre-ma-reclamation/recours/"
NAME = "Fatima Zahra El Amrani"
IDENTITY = (CNIE, PHONE[1:], "Fatima", "Zahra", "Amrani", "fatima zahra")
PDF = b"%PDF-1.4\n%scan\n"
# What would tell the referral, in French and in the Arabic of locale/ar.
GBV_MARKERS = re.compile(
    r"\bVBG\b|\bEAS\b|\bHS\b|sensible|référent|violence|orienté|orientation|transféré|harcèlement|exploitation"
    r"|abus|حساس|العنف|النوع الاجتماعي|المرجع|موجه|توجيه|محالة",
    re.IGNORECASE,
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def filed(file_online, walk):  # noqa: F811 (fixture imported above)
    """Fatima's complaint filed online, with her CNIE scanned, qualified by the agent."""
    grievance = file_online(email="fatima@example.ma", preferred_contact="email").grievance
    attachment_add(
        grievance=grievance,
        actor=walk.agent,
        uploaded_file=SimpleUploadedFile(f"CNIE_{CNIE}.pdf", PDF, "application/pdf"),
        description=f"CNIE de {NAME}",
    )
    return grievance


def qualified(grievance, walk) -> Grievance:
    return wf.grievance_qualify(
        grievance=grievance,
        actor=walk.agent,
        category=grievance.category,
        subject=f"Bourse de {NAME}",
        nature="individual",
        identity_verified=True,
        comment=f"Identité vérifiée : {CNIE}",
    )


def flag(grievance, walk, **details) -> SensitiveCase:
    return wf.grievance_flag_sensitive(
        grievance=grievance,
        actor=walk.agent,
        details=SensitiveDetails(nature="Un agent payeur a exigé une faveur", **details),
        comment=f"Appel de {NAME}",
    )


def tracking_answer(*, code: str, identity: str, language: str = "fr") -> tuple:
    """What a fresh browser gets for this code and identity: the POST's answer, then the page."""
    browser = Client()
    browser.cookies["django_language"] = language
    posted = track(browser, code=code, identity=identity)
    page = browser.get(TRACKED_URL) if posted.status_code == 302 else posted
    return posted.status_code, posted.get("Location"), page.status_code, without_csrf(page.content).decode()


# --- the receipt --------------------------------------------------------------------------------------


@pytest.mark.parametrize("identity", [CNIE, PHONE, "ab-123 456", "+212 6 12 34 56 78"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_receipt_answers_exactly_as_before_the_flag(filed, walk, identity, language):
    grievance = qualified(filed, walk)
    before = tracking_answer(code=grievance.tracking_code, identity=identity, language=language)
    assert before[:3] == (302, TRACKED_URL, 200)

    flag(grievance, walk)

    after = tracking_answer(code=grievance.tracking_code, identity=identity, language=language)
    assert after == before
    assert GBV_MARKERS.findall(after[3]) == []


@pytest.mark.parametrize("identity", [CNIE, PHONE])
def test_a_case_flagged_at_reception_answers_as_before_then_moves_on_as_an_ordinary_case(
    filed,
    file_online,  # noqa: F811
    walk,
    identity,
):
    ordinary = file_online(cnie="AB654321", phone="0698765432").grievance
    # Both past their acknowledgement date, still « Reçue »: nobody has qualified them yet.
    yesterday = timezone.localdate() - timedelta(days=1)
    Grievance.objects.filter(pk__in=[filed.pk, ordinary.pk]).update(acknowledgement_due_on=yesterday)
    before = tracking_answer(code=filed.tracking_code, identity=identity)

    flag(filed, walk)

    # The day of the flag, « Reçue », exactly as a minute earlier.
    husk_page = tracking_answer(code=filed.tracking_code, identity=identity)
    assert husk_page == before
    assert 'id="tracked-status">Reçue<' in husk_page[3]
    # From the next day, as an ordinary case qualified meanwhile: « En cours de traitement ».
    SensitiveCase.objects.filter(source_grievance=filed).update(created_at=F("created_at") - timedelta(days=1))
    qualified(ordinary, walk)
    husk_page = tracking_answer(code=filed.tracking_code, identity=identity)
    ordinary_page = tracking_answer(code=ordinary.tracking_code, identity="AB654321")
    assert 'id="tracked-status">En cours de traitement<' in husk_page[3]
    assert husk_page[3].replace(filed.reference, "REF") == ordinary_page[3].replace(ordinary.reference, "REF")
    assert GBV_MARKERS.findall(husk_page[3]) == []


def test_the_receipt_still_refuses_a_wrong_identity_the_same_way(filed, walk):
    flag(filed, walk)

    assert tracking_answer(code=filed.tracking_code, identity="AB999999") == tracking_answer(
        code="NOSUCHCODE23", identity="AB999999"
    )
    assert tracking_answer(code=filed.tracking_code, identity="0611111111")[0] == 200  # the failure page


def test_the_husk_keeps_only_keyed_digests_bound_to_its_code(filed, walk):
    flag(filed, walk)

    husk = Grievance.objects.get(pk=filed.pk)
    stored = repr(Grievance.objects.filter(pk=husk.pk).values().get())
    assert [part for part in IDENTITY if part.lower() in stored.lower()] == []
    assert len(husk.tracking_cnie_digest) == len(husk.tracking_phone_digest) == 64
    assert husk.tracking_cnie_digest != husk.tracking_phone_digest


def test_the_receipt_survives_a_rotation_of_the_secret_key(filed, walk, settings):
    flag(filed, walk)

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40

    assert tracking_answer(code=filed.tracking_code, identity=PHONE)[:3] == (302, TRACKED_URL, 200)


def test_rating_or_appealing_the_husk_answers_as_for_any_case_in_treatment(filed, file_online, walk):  # noqa: F811
    ordinary = qualified(file_online(cnie="AB654321", phone="0698765432").grievance, walk)
    flag(qualified(filed, walk), walk)

    answers = []
    for grievance, identity in ((filed, CNIE), (ordinary, "AB654321")):
        browser = Client()
        track(browser, code=grievance.tracking_code, identity=identity)
        rated = browser.post(RATE_URL, {"rating": "1"}, follow=True)
        appealed = browser.post(APPEAL_URL, {"appeal_reason": "Je conteste."}, follow=True)
        answers.append(
            [without_csrf(page.content).decode().replace(grievance.reference, "REF") for page in (rated, appealed)]
        )

    assert answers[0] == answers[1]
    assert GBV_MARKERS.findall(" ".join(answers[0])) == []
    assert "une fois la réclamation clôturée" in answers[0][1]
    assert Grievance.objects.get(pk=filed.pk).status == Grievance.Status.SENSITIVE


# --- nothing is sent -----------------------------------------------------------------------------------


def test_the_flag_sends_nothing_to_the_complainant_and_withdraws_what_was_pending(filed, walk, sms_outbox):  # noqa: F811
    from django.core import mail

    acknowledgement = OutboxMessage.objects.get(grievance=filed)
    assert acknowledgement.status == OutboxMessage.Status.PENDING
    before = set(OutboxMessage.objects.values_list("pk", flat=True))

    flag(filed, walk)

    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == before
    acknowledgement.refresh_from_db()
    assert (acknowledgement.status, acknowledgement.address, acknowledgement.text) == (
        OutboxMessage.Status.CANCELLED,
        "",
        "",
    )
    notification_send_due(now=timezone.now() + timedelta(days=1))
    assert sms_outbox == []
    assert mail.outbox == []


# --- the husk keeps nothing; the case holds it ---------------------------------------------------------


def test_no_history_row_of_the_husk_holds_the_identity_and_the_husk_lists_no_file(filed, walk, media_root):
    grievance = qualified(filed, walk)
    file = Attachment.objects.get(grievance=grievance)
    stored_name = file.file.name

    case = flag(grievance, walk)

    husk_history = repr(list(Grievance.history.filter(id=grievance.pk).values())).lower()
    assert [part for part in IDENTITY if part.lower() in husk_history] == []
    assert "une faveur" not in husk_history
    assert "appel de" not in husk_history
    assert not Attachment.objects.filter(grievance=grievance).exists()
    assert not Attachment.history.filter(grievance_id=grievance.pk).exists()
    # The file itself went to the case, under a neutral name, its stored name random as before.
    moved = Attachment.objects.get(sensitive_case=case)
    assert moved.pk == file.pk
    assert (moved.original_name, moved.description) == ("piece-jointe-1.pdf", "")
    assert moved.file.name == stored_name
    assert CNIE.lower() not in stored_name.lower()
    assert (media_root / stored_name).read_bytes() == PDF
    file_history = repr(list(Attachment.history.filter(id=file.pk).values())).lower()
    assert [part for part in IDENTITY if part.lower() in file_history] == []
    assert verify_chain().broken is None


def test_the_calls_and_visits_written_down_on_the_husk_are_erased_history_included(filed, walk):
    grievance = qualified(filed, walk)
    call = exchange_record(
        grievance=grievance,
        actor=walk.agent,
        kind=Exchange.Kind.INBOUND_CALL,
        occurred_at=timezone.now(),
        summary=f"{NAME} ({PHONE}) rappelle : un agent payeur l'a harcelée",
    )

    flag(grievance, walk)

    call.refresh_from_db()
    assert call.summary == "[anonymisé]"
    stored = repr(list(Exchange.history.filter(id=call.pk).values())).lower()
    assert [part for part in IDENTITY if part.lower() in stored] == []
    assert "harcelée" not in stored
    assert verify_chain().broken is None


@pytest.mark.django_db(transaction=True)
def test_the_rewritten_history_verifies_once_each_step_has_committed(filed, walk):
    """In production the rows rewritten were sealed by earlier commits; `verify_audit` accepts
    the rewrite because it is re-sealed, not because it shares a transaction with the inserts."""
    grievance = qualified(filed, walk)  # each service commits on its own here

    flag(grievance, walk)

    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "Audit chain intact" in out.getvalue()
    assert verify_chain().broken is None
    rewritten = AuditLink.objects.filter(kind="rewrite", reason=sensitive_services.TAKE_OVER_REASON)
    assert rewritten.filter(table_name=Grievance.history.model._meta.db_table).count() == 2  # register, qualify
    assert rewritten.filter(table_name=Attachment.history.model._meta.db_table).count() == 1


def test_the_identity_lives_in_the_case_for_the_referent_only(filed, walk, meryem, salma, client):
    case = flag(filed, walk)

    case.refresh_from_db()
    assert (case.complainant_cnie, case.complainant_phone, case.complainant_name) == (CNIE, "+212612345678", NAME)
    assert case.history.latest("history_id").history_change_reason.endswith(f"Appel de {NAME}")
    client.force_login(meryem)
    page = client.get(reverse("grievances:sensitive_detail", args=[case.pk])).content.decode()
    assert CNIE in page
    assert NAME in page
    assert "piece-jointe-1.pdf" in page
    husk_page = client.get(reverse("grievances:detail", args=[filed.pk])).content.decode()
    assert [part for part in IDENTITY if part in husk_page] == []
    assert "piece-jointe" not in husk_page
    client.force_login(salma)
    assert client.get(reverse("grievances:sensitive_detail", args=[case.pk])).status_code == 404


# --- consent, once --------------------------------------------------------------------------------------


def test_the_referral_does_not_ask_the_consent_again(filed, walk, meryem, client):
    case = flag(filed, walk, consent_to_refer=True)
    client.force_login(meryem)
    url = reverse("grievances:sensitive_detail", args=[case.pk])

    page = client.get(url).content.decode()

    assert 'name="consent_to_refer"' not in page
    assert 'id="refer-consent"' in page
    response = client.post(
        url,
        {
            "action": "refer",
            "service_provider": "Association Tahadi",
            "referred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.consent_to_refer) == (SensitiveCase.Status.REFERRED, True)


def test_without_the_consent_given_at_the_flag_the_case_is_not_referred(filed, walk, meryem, client):
    case = flag(filed, walk)
    client.force_login(meryem)

    page = client.get(reverse("grievances:sensitive_detail", args=[case.pk])).content.decode()

    assert 'name="service_provider"' not in page
    with pytest.raises(ValidationError, match="recueilli lors du signalement"):
        sensitive_services.sensitive_case_refer(case=case, actor=meryem, service_provider="Association Tahadi")
    case.refresh_from_db()
    assert case.status == SensitiveCase.Status.OPEN


# --- the survivor's right of access, through the referent ----------------------------------------------


def test_the_referent_still_finds_the_survivor_s_data_by_cnie_with_the_files_moved_to_the_case(
    filed, walk, meryem, leila, tmp_path
):
    import zipfile

    from privacy.subject_export import subject_export, write_subject_export

    case = flag(filed, walk)

    export = subject_export(cnie=CNIE, actor=meryem)
    [exported_case] = export.data["sensitive_cases"]
    assert (exported_case["reference"], exported_case["complainant_cnie"]) == (case.reference, CNIE)
    assert [a["original_name"] for a in exported_case["attachments"]] == ["piece-jointe-1.pdf"]
    assert [g["reference"] for g in export.data["grievances"]] == [filed.reference]
    assert "tracking_cnie_digest" not in export.data["grievances"][0]
    assert export.attachment_count == 1
    with zipfile.ZipFile(write_subject_export(export, tmp_path / "export.zip")) as archive:
        assert archive.read(exported_case["attachments"][0]["file"]) == PDF
    focal_point = subject_export(cnie=CNIE, actor=leila)
    assert (focal_point.data["grievances"], focal_point.data["sensitive_cases"]) == ([], [])


def test_the_identity_taken_over_by_the_case_goes_with_the_retention_run(filed, walk, meryem):
    from django.db.models import F

    from grievances.services.sensitive import sensitive_case_close
    from pmpp.audit import history_rewrite_allowed
    from privacy.anonymisation import anonymise_due_sensitive_cases

    case = sensitive_case_close(case=flag(filed, walk), actor=meryem, note="Suivi par l'association.")
    six_years = timedelta(days=6 * 365)
    SensitiveCase.objects.filter(pk=case.pk).update(
        received_at=F("received_at") - six_years, referral_due_at=F("referral_due_at") - six_years
    )
    with history_rewrite_allowed():
        SensitiveCase.history.filter(id=case.pk).update(history_date=F("history_date") - six_years)

    assert anonymise_due_sensitive_cases().cases == 1

    stored = repr([SensitiveCase.objects.filter(pk=case.pk).values().get()]) + repr(
        list(SensitiveCase.history.filter(id=case.pk).values())
    )
    assert [part for part in IDENTITY if part.lower() in stored.lower()] == []
    assert verify_chain().broken is None
