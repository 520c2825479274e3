"""Law 09-08 retention: long-closed grievances lose every trace of the person, statistics stay."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.forms.models import model_to_dict
from django.utils import timezone

from grievances.models import Attachment, Commitment, Grievance, SensitiveCase
from grievances.services import workflow as wf
from grievances.services.attachments import attachment_add
from grievances.services.intake import SensitiveDetails, grievance_register
from grievances.services.sensitive import sensitive_case_close
from notifications.exchanges import exchange_record
from notifications.models import Exchange, OutboxMessage
from notifications.services import notification_send_due
from pmpp.audit import history_rewrite_allowed
from pmpp.audit_chain import verify_chain
from privacy import anonymisation
from tests.notifications.conftest import sms_outbox  # noqa: F401  (SMS kept in memory)

pytestmark = pytest.mark.django_db

CNIE = "BK482913"
PHONE = "0661234578"
NAME = "Khadija Benali"
EMAIL = "khadija.benali@example.ma"
DESCRIPTION = "Je suis veuve, mon fils Yassine n'a pas reçu sa bourse ; mon adresse : 12 rue Oued Sebou, Salé."
NOTE = "Rappeler Mme Benali au 0661234578"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SIX_YEARS = timedelta(days=6 * 365)
IDENTITY = (CNIE, "661234578", NAME, "khadija", "benali", EMAIL, "Oued Sebou", "Yassine")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def closed_with_everything(walk, **register) -> Grievance:
    """A named complaint through a commitment, an attachment and every free text, then closed."""
    identity = {"cnie": CNIE, "phone": PHONE, "name": NAME, "email": EMAIL, "description": DESCRIPTION}
    g = walk.routed(**(identity | register))
    attachment_add(
        grievance=g,
        actor=walk.agent,
        uploaded_file=SimpleUploadedFile(f"CNIE_{CNIE}.pdf", PDF, "application/pdf"),
        description=f"Copie de la CNIE de {NAME}",
    )
    wf.commitment_give(grievance=g, actor=walk.handler, promised_on=timezone.localdate() + timedelta(days=3), note=NOTE)
    g.refresh_from_db()
    wf.commitment_record_notification(commitment=g.commitments.get(), actor=walk.agent)
    exchange_record(
        grievance=g,
        actor=walk.agent,
        kind=Exchange.Kind.INBOUND_CALL,
        occurred_at=timezone.now(),
        summary=f"{NAME} ({CNIE}) demande où en est la bourse de Yassine",
    )
    g = wf.commitment_honour(grievance=g, actor=walk.handler)
    g = wf.grievance_draft_answer(grievance=g, actor=walk.agent, text=f"Madame {NAME}, la bourse sera versée.")
    g = wf.grievance_approve_answer(grievance=g, actor=walk.head)
    g = wf.grievance_send_answer(grievance=g, actor=walk.agent)
    g = wf.grievance_close(
        grievance=g, actor=walk.closer, synthesis=f"Bourse versée à {NAME} ({CNIE}).", confirmed=True
    )
    notification_send_due()  # the acknowledgement, the commitment and the outcome go out by SMS
    return g


def age(grievance: Grievance, by: timedelta = SIX_YEARS) -> None:
    """Move a grievance and everything it wrote `by` into the past (history too: test set-up only)."""
    dates = ("received_at", "qualified_at", "answer_approved_at", "answer_sent_at", "closure_validated_at")
    Grievance.objects.filter(pk=grievance.pk).update(**{name: F(name) - by for name in (*dates, "effective_closed_at")})
    with history_rewrite_allowed():
        for model in (Grievance, Commitment, Attachment, Exchange):
            rows = model.history.model.objects.filter(
                **({"id": grievance.pk} if model is Grievance else {"grievance_id": grievance.pk})
            )
            rows.update(history_date=F("history_date") - by)


def everything_stored_about(grievance: Grievance) -> str:
    """Every row the database holds for this grievance, as one text to search."""
    rows = [model_to_dict(Grievance.objects.get(pk=grievance.pk))]
    rows += list(Grievance.history.filter(id=grievance.pk).values())
    for model in (Commitment, Attachment, Exchange):
        rows += list(model.objects.filter(grievance=grievance).values())
        rows += list(model.history.filter(grievance_id=grievance.pk).values())
    rows += list(OutboxMessage.objects.filter(grievance=grievance).values())
    return repr(rows).lower()


def statistics_of(grievance: Grievance) -> dict:
    g = Grievance.objects.get(pk=grievance.pk)
    kept = (
        "reference", "programme_id", "channel_id", "category_id", "region_id", "residence", "complainant_sex",
        "complainant_age_group", "received_at", "effective_closed_at", "closure_validated_at", "due_on",
        "status", "outcome", "request_kind", "is_anonymous", "appeal_count", "satisfaction_rating",
    )  # fmt: skip
    return {name: getattr(g, name) for name in kept} | {
        "commitments": list(g.commitments.values_list("sequence", "status", "promised_on", "realised_at")),
        "messages": list(g.outbox_messages.values_list("event", "channel", "status", "sent_at")),
        "history": list(
            Grievance.history.filter(id=g.pk)
            .order_by("history_id")
            .values_list("history_type", "transition", "history_date")
        ),
    }


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("anonymise_personal_data", *args, stdout=out)
    return out.getvalue()


def test_a_grievance_closed_past_the_retention_period_keeps_no_trace_of_the_person(
    walk, media_root, django_capture_on_commit_callbacks
):
    g = closed_with_everything(walk)
    age(g)
    stored_file = media_root / Attachment.objects.get(grievance=g).file.name
    before = statistics_of(g)
    assert all(part.lower() in everything_stored_about(g) for part in IDENTITY)

    with django_capture_on_commit_callbacks(execute=True):
        output = run()

    stored = everything_stored_about(g)
    assert [part for part in IDENTITY if part.lower() in stored] == []
    assert not stored_file.exists()
    attachment = Attachment.objects.get(grievance=g)
    assert (attachment.file.name, attachment.original_name) == ("", anonymisation.ATTACHMENT_PLACEHOLDER_NAME)
    # What the statistics count is unchanged; one history row is added, saying why.
    after = statistics_of(g)
    last = after.pop("history")[-1]
    before.pop("history")
    assert after == before
    assert last[:2] == ("~", "anonymise")
    row = Grievance.history.filter(id=g.pk).latest("history_id")
    assert "loi 09-08" in row.history_change_reason
    assert row.history_user is None
    assert Grievance.objects.get(pk=g.pk).anonymised_at is not None
    assert "1 réclamation(s) anonymisée(s)" in output


def test_the_steps_of_history_stay_readable_without_the_comments_typed_in_them(walk):
    g = closed_with_everything(walk)
    age(g)

    run()

    reasons = list(Commitment.history.filter(grievance_id=g.pk).values_list("history_change_reason", flat=True))
    assert "Engagement de traitement" in reasons
    grievance_reasons = Grievance.history.filter(id=g.pk).values_list("history_change_reason", flat=True)
    assert "Donner un engagement de traitement — [anonymisé]" in grievance_reasons
    assert not any("date promise" in reason for reason in grievance_reasons)


def test_open_recent_and_appealed_grievances_are_left_as_they_are(walk):
    recent = closed_with_everything(walk)
    open_for_years = walk.analysed(cnie="AB700001")
    age(open_for_years)
    appealed = wf.grievance_appeal(grievance=walk.closed(cnie="AB700002"), actor=walk.agent, reason="Incomplet")
    age(appealed)
    untouched = {g.pk: everything_stored_about(g) for g in (recent, open_for_years, appealed)}

    assert "Aucune réclamation à anonymiser" in run()

    assert {pk: everything_stored_about(Grievance(pk=pk)) for pk in untouched} == untouched


def test_a_step_taken_within_the_retention_period_restarts_the_clock(walk):
    g = walk.closed(cnie="AB700003")
    age(g)
    # A satisfaction rating given last month is a change of the record: the clock restarts.
    from grievances.services.satisfaction import grievance_rate_satisfaction

    grievance_rate_satisfaction(grievance=g, rating=4, when=timezone.now() - timedelta(days=30))

    assert "Aucune réclamation à anonymiser" in run()
    assert Grievance.objects.get(pk=g.pk).complainant_cnie == "AB700003"


def test_a_second_run_changes_nothing_and_says_so(walk):
    g = closed_with_everything(walk)
    age(g)
    run()
    rows = Grievance.history.filter(id=g.pk).count()
    stored = everything_stored_about(g)

    output = run()

    assert "Aucune réclamation à anonymiser" in output
    assert Grievance.history.filter(id=g.pk).count() == rows
    assert everything_stored_about(g) == stored


def test_a_dry_run_counts_and_changes_nothing(walk):
    grievances = [walk.closed(cnie=f"AB70001{n}") for n in range(3)]
    for g in grievances:
        age(g)
    stored = [everything_stored_about(g) for g in grievances]

    output = run("--dry-run")

    assert "3 réclamation(s) seraient anonymisées" in output
    assert [everything_stored_about(g) for g in grievances] == stored


def test_the_work_goes_in_batches_and_shows_its_progress(walk):
    for n in range(5):
        age(walk.closed(cnie=f"AB70002{n}"))

    output = run("--batch-size", "2")

    assert [line.split()[0] for line in output.splitlines() if "traitées" in line] == ["2/5", "4/5", "5/5"]
    assert Grievance.objects.filter(anonymised_at__isnull=False).count() == 5


def test_a_batch_that_fails_leaves_its_grievances_whole_and_the_earlier_batches_done(walk, monkeypatch):
    grievances = [walk.closed(cnie=f"AB70003{n}", phone=f"066123450{n}") for n in range(4)]
    for g in grievances:
        age(g)
    third = grievances[2].pk
    original_save = Grievance.save

    def save_failing_on_the_third(self, *args, **kwargs):
        if self.pk == third and self.anonymised_at is not None:
            raise RuntimeError("disque plein")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Grievance, "save", save_failing_on_the_third)
    with pytest.raises(RuntimeError):
        run("--batch-size", "2")

    first_batch, second_batch = grievances[:2], grievances[2:]
    assert all(Grievance.objects.get(pk=g.pk).anonymised_at for g in first_batch)
    for g in second_batch:
        # Neither the record nor any history row of the failed batch was touched.
        assert Grievance.objects.get(pk=g.pk).anonymised_at is None
        assert set(Grievance.history.filter(id=g.pk).values_list("complainant_cnie", flat=True)) == {g.complainant_cnie}

    monkeypatch.undo()
    assert "2 réclamation(s) anonymisée(s)" in run()


def test_a_grievance_moved_to_the_gbv_referent_keeps_no_identity_before_or_after_the_retention_period(walk):
    g = walk.sensitive(cnie=CNIE, phone=PHONE, name=NAME, description=DESCRIPTION)
    # Flagging erased it from the record and from its history rows (it went to the case).
    assert [part for part in IDENTITY if part.lower() in everything_stored_about(g)] == []
    assert Grievance.objects.get(pk=g.pk).tracking_cnie_digest  # the receipt still opens it
    age(g)

    run()

    assert [part for part in IDENTITY if part.lower() in everything_stored_about(g)] == []
    anonymised = Grievance.objects.get(pk=g.pk)
    assert (anonymised.tracking_cnie_digest, anonymised.tracking_phone_digest) == ("", "")
    assert g.sensitive_case.nature  # the case itself stays for the referent


def test_a_pending_message_of_an_anonymised_grievance_is_withdrawn(walk):
    g = walk.closed(cnie="AB700041")
    message = OutboxMessage.objects.filter(grievance=g).first()
    assert message is not None
    assert message.address
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.PENDING)
    age(g)

    run()

    message.refresh_from_db()
    assert (message.status, message.address, message.text) == (OutboxMessage.Status.CANCELLED, "", "")


def test_a_retention_period_under_a_year_is_refused(walk, settings):
    age(walk.closed(cnie="AB700051"))
    settings.PMPP_RETENTION_DAYS = 30

    with pytest.raises(CommandError, match="au moins 365 jours"):
        run()

    assert not Grievance.objects.filter(anonymised_at__isnull=False).exists()


def test_the_retention_period_comes_from_the_settings(walk, settings):
    g = walk.closed(cnie="AB700061")
    age(g, by=timedelta(days=400))
    assert "Aucune réclamation à anonymiser" in run()

    settings.PMPP_RETENTION_DAYS = 365

    assert "1 réclamation(s) anonymisée(s)" in run()


def test_the_placeholder_of_a_deleted_attachment_answers_not_found_not_a_server_error(walk, client):
    g = closed_with_everything(walk)
    age(g)
    run()
    client.force_login(walk.agent)

    response = client.get(f"/pieces-jointes/{Attachment.objects.get(grievance=g).pk}/")

    assert response.status_code == 404


# --- sensitive GBV/SEA/SH cases: the allegation in the complainant's words (issue 17, item c) ---------------

NATURE = "Le chef de l'antenne de Taroudant, M. Hamid, a exigé une faveur de Khadija Benali contre le versement."
CLOSING_NOTE = "Orientée vers l'association Tilila ; Mme Benali ne souhaite pas porter plainte."


def sensitive_case(walk, referent=None, *, nature: str = NATURE) -> SensitiveCase:
    """A case registered directly, closed by `referent` when one is given."""
    case = grievance_register(
        actor=walk.agent,
        programme=walk.programme,
        channel=walk.channel,
        description="",
        sensitive=SensitiveDetails(nature=nature, survivor_sex="female", survivor_age_group="18_35"),
    ).sensitive_case
    if referent is not None:
        case = sensitive_case_close(case=case, actor=referent, note=CLOSING_NOTE)
    return case


def age_case(case: SensitiveCase, by: timedelta = SIX_YEARS) -> None:
    """Move a sensitive case and its history `by` into the past (test set-up only)."""
    SensitiveCase.objects.filter(pk=case.pk).update(
        received_at=F("received_at") - by, referral_due_at=F("referral_due_at") - by, created_at=F("created_at") - by
    )
    with history_rewrite_allowed():
        SensitiveCase.history.filter(id=case.pk).update(history_date=F("history_date") - by)


def everything_stored_about_the_case(case: SensitiveCase) -> str:
    rows = [model_to_dict(SensitiveCase.objects.get(pk=case.pk))]
    rows += list(SensitiveCase.history.filter(id=case.pk).values())
    return repr(rows).lower()


def test_a_sensitive_case_closed_past_the_retention_period_keeps_no_free_text_history_included(walk, meryem):
    case = sensitive_case(walk, meryem)
    age_case(case)
    kept = (
        "reference", "programme_id", "channel_id", "received_at", "perpetrator_linked", "survivor_age_group",
        "survivor_sex", "referral_offered", "referral_accepted", "referred_at", "consent_to_refer", "status",
    )  # fmt: skip
    before = SensitiveCase.objects.filter(pk=case.pk).values(*kept).get()
    assert "benali" in everything_stored_about_the_case(case)

    output = run()

    stored = everything_stored_about_the_case(case)
    assert [part for part in ("benali", "khadija", "hamid", "tilila", "taroudant") if part in stored] == []
    case.refresh_from_db()
    assert (case.nature, case.closing_note) == (anonymisation.PLACEHOLDER, anonymisation.PLACEHOLDER)
    assert SensitiveCase.objects.filter(pk=case.pk).values(*kept).get() == before
    last = SensitiveCase.history.filter(id=case.pk).latest("history_id")
    assert (last.transition, last.history_user, "loi 09-08" in last.history_change_reason) == ("anonymise", None, True)
    assert "1 cas sensible(s) anonymisé(s)" in output
    # The rewritten history rows are re-sealed: the audit chain still verifies.
    assert verify_chain().broken is None


def test_an_open_or_recent_sensitive_case_keeps_its_texts(walk, meryem):
    still_open = sensitive_case(walk)
    age_case(still_open)  # however old, an open case is the referent's work in progress
    recent = sensitive_case(walk, meryem)
    untouched = {case.pk: everything_stored_about_the_case(case) for case in (still_open, recent)}

    output = run()

    assert "Aucune réclamation à anonymiser" in output
    assert {pk: everything_stored_about_the_case(SensitiveCase(pk=pk)) for pk in untouched} == untouched


def test_a_sensitive_case_is_anonymised_once_even_years_later(walk, meryem):
    case = sensitive_case(walk, meryem)
    age_case(case)
    run()
    rows = SensitiveCase.history.filter(id=case.pk).count()
    age_case(case)  # six more years: its anonymisation row is now old too

    output = run()

    assert "Aucune réclamation à anonymiser" in output
    assert SensitiveCase.history.filter(id=case.pk).count() == rows


def test_a_dry_run_counts_the_sensitive_cases_and_changes_nothing(walk, meryem):
    cases = [sensitive_case(walk, meryem) for _ in range(2)]
    for case in cases:
        age_case(case)
    stored = [everything_stored_about_the_case(case) for case in cases]

    output = run("--dry-run")

    assert "2 cas sensible(s) clos seraient anonymisés" in output
    assert [everything_stored_about_the_case(case) for case in cases] == stored


def test_a_failed_batch_of_sensitive_cases_leaves_them_and_their_history_whole(walk, meryem, monkeypatch):
    case = sensitive_case(walk, meryem)
    age_case(case)
    stored = everything_stored_about_the_case(case)

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(SensitiveCase, "save", failing_save)
    with pytest.raises(RuntimeError):
        run()

    assert everything_stored_about_the_case(case) == stored
    monkeypatch.undo()
    assert "1 cas sensible(s) anonymisé(s)" in run()


def test_the_files_a_sensitive_case_took_over_from_its_grievance_are_deleted_at_retention(
    walk, meryem, media_root, django_capture_on_commit_callbacks
):
    g = walk.register(cnie=CNIE, name=NAME)
    attachment_add(
        grievance=g,
        actor=walk.agent,
        uploaded_file=SimpleUploadedFile(f"CNIE_{CNIE}.pdf", PDF, "application/pdf"),
        description=f"Copie de la CNIE de {NAME}",
    )
    wf.grievance_flag_sensitive(grievance=g, actor=walk.agent, details=SensitiveDetails(nature=NATURE))
    case = SensitiveCase.objects.get(source_grievance=g)
    attachment = Attachment.objects.get(sensitive_case=case)
    stored = media_root / attachment.file.name
    assert stored.exists()
    case = sensitive_case_close(case=case, actor=meryem, note=CLOSING_NOTE)
    age_case(case)

    with django_capture_on_commit_callbacks(execute=True):
        output = run()

    attachment.refresh_from_db()
    assert (attachment.file.name, attachment.original_name, attachment.description, attachment.sha256) == (
        "",
        anonymisation.ATTACHMENT_PLACEHOLDER_NAME,
        "",
        "",
    )
    assert not stored.exists()
    history = repr(list(Attachment.history.filter(id=attachment.pk).values())).lower()
    assert [part for part in (CNIE.lower(), "benali", "khadija") if part in history] == []
    assert "1 cas sensible(s) anonymisé(s)" in output
    assert "1 pièce(s) jointe(s)" in output.split("cas sensible(s)")[1]
    assert verify_chain().broken is None
