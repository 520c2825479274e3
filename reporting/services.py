"""Writes of the semester report (SPEC §6, PMPP §7): start a draft, approve it, issue a new version.

Every service takes the acting user, checks the permission, runs in a transaction and
writes who and why into history. An approved report is never written again: its figures
were frozen at approval, and a correction is a new version that supersedes it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_fsm import has_transition_perm

from reporting.models import SemesterReport
from reporting.selectors import assemble_semester_report
from reporting.statistics import Period

_Status = SemesterReport.Status


def _require(actor, permission: str, message: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(message)


def _locked(report: SemesterReport) -> SemesterReport:
    return SemesterReport.objects.select_for_update(of=("self",)).get(pk=report.pk)


def _audited_save(report: SemesterReport, *, actor, reason: str) -> None:
    report._change_reason = reason
    report._history_user = actor
    report.save()


def _insert_draft(report: SemesterReport, *, actor, reason: str) -> SemesterReport:
    """Insert a new draft; the unique constraints settle a race between two users."""
    try:
        with transaction.atomic():
            _audited_save(report, actor=actor, reason=reason)
    except IntegrityError:
        raise ValidationError(
            f"Un autre brouillon du rapport {report.label} vient d'être créé : rechargez la liste des rapports."
        ) from None
    return report


def semester_report_start(*, actor, year: int, semester: int, notes: str = "") -> SemesterReport:
    """Open the draft (version 1) of a semester's report, prepared by the E&S focal point (§7).

    One report per semester: refused when a draft or an approved version already exists
    (an approved report is corrected by a new version, not by a second first version), and
    for a semester that has not begun.
    """
    _require(actor, "reporting.add_semesterreport", "Vous n'êtes pas autorisé·e à préparer un rapport semestriel.")
    errors = {}
    if semester not in SemesterReport.Semester.values:
        errors["semester"] = "Choisissez le premier ou le second semestre."
    if not isinstance(year, int) or not 2020 <= year <= 2100:
        errors["year"] = "Indiquez une année entre 2020 et 2100."
    if errors:
        raise ValidationError(errors)
    period = Period.semester(year, semester)
    if period.start > timezone.localdate():
        raise ValidationError({"semester": f"Le semestre {period.label} n'a pas encore commencé."})
    with transaction.atomic():
        existing = (
            SemesterReport.objects.select_for_update().filter(year=year, semester=semester).order_by("-version").first()
        )
        if existing is not None and existing.status == _Status.DRAFT:
            raise ValidationError(
                f"Le rapport {period.label} est déjà en préparation (brouillon, version {existing.version})."
            )
        if existing is not None:
            raise ValidationError(
                f"Le rapport {period.label} est déjà approuvé (version {existing.version}) : "
                "pour le corriger, émettez une nouvelle version."
            )
        report = SemesterReport(year=year, semester=semester, version=1, created_by=actor, notes=(notes or "").strip())
        return _insert_draft(report, actor=actor, reason=f"Rapport {period.label} : brouillon ouvert (version 1)")


def semester_has_ended(report: SemesterReport) -> bool:
    """Whether the report's semester is over: its last day is behind us (Moroccan local date)."""
    return report.period.end < timezone.localdate()


def semester_report_approve(
    *, report: SemesterReport, actor, confirmed: bool = False, unfinished_semester_acknowledged: bool = False
) -> SemesterReport:
    """Approve a draft and freeze its figures (SPEC §6: once approved the report is locked).

    The data is assembled now, inside the transaction that holds the report's row lock, and
    stored in `snapshot`; from then on the report shows only that snapshot, whatever is
    corrected later in the grievances or the registry. Irreversible, so it takes the user's
    confirmation (`confirmed`), and for a semester not yet over the explicit acknowledgement
    that what happens until its end will be missing from the report (issue 20).
    """
    with transaction.atomic():
        locked = _locked(report)
        if not has_transition_perm(locked.approve, actor):
            if not actor.has_perm("reporting.approve_semesterreport"):
                raise PermissionDenied("Seul le point focal E&S peut approuver un rapport semestriel.")
            raise ValidationError(f"Le rapport {locked} est déjà approuvé : ses chiffres sont figés.")
        if not confirmed:
            raise ValidationError(
                gettext("Confirmez l'approbation : une fois approuvé, les chiffres du rapport sont figés."),
                code="confirmation_required",
            )
        if not semester_has_ended(locked) and not unfinished_semester_acknowledged:
            raise ValidationError(
                gettext(
                    "Le semestre %(period)s n'est pas terminé : cochez la case qui le reconnaît pour approuver "
                    "le rapport avant sa fin."
                )
                % {"period": locked.label},
                code="unfinished_semester",
            )
        snapshot = assemble_semester_report(user=actor, year=locked.year, semester=locked.semester)
        locked.approve(actor=actor, when=timezone.now(), snapshot=snapshot)
        _audited_save(
            locked,
            actor=actor,
            reason=f"Rapport {locked.label} approuvé : chiffres figés (version {locked.version})",
        )
    return locked


def semester_report_new_version(*, report: SemesterReport, actor, reason: str) -> SemesterReport:
    """Issue a new draft version of an approved report, which it supersedes (SPEC §6).

    The approved report is left exactly as it was — not even saved — so its snapshot and
    its history stay those of its approval. Only the latest version can be superseded, and
    only when no draft of the semester is under way.
    """
    _require(
        actor, "reporting.add_semesterreport", "Vous n'êtes pas autorisé·e à émettre une nouvelle version du rapport."
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de la nouvelle version."})
    with transaction.atomic():
        locked = _locked(report)
        if locked.status != _Status.APPROVED:
            raise ValidationError(f"Le rapport {locked} est encore un brouillon : il peut être approuvé, pas remplacé.")
        latest = SemesterReport.objects.filter(year=locked.year, semester=locked.semester).order_by("-version").first()
        if latest.pk != locked.pk:
            state = "brouillon" if latest.status == _Status.DRAFT else "approuvée"
            raise ValidationError(
                f"Une version plus récente du rapport {locked.label} existe déjà (version {latest.version}, {state})."
            )
        draft = SemesterReport(
            year=locked.year,
            semester=locked.semester,
            version=locked.version + 1,
            supersedes=locked,
            created_by=actor,
            notes=reason,
        )
        return _insert_draft(
            draft,
            actor=actor,
            reason=f"Rapport {locked.label} : version {draft.version} ouverte, remplace la version "
            f"{locked.version} — {reason}",
        )
