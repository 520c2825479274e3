"""Intake: every request received by any channel is recorded (PMPP §6.1).

`grievance_register` is the one door for the back-office form, the public form, the API
and file imports. It validates, stamps the reception date by the channel's rule
(§6.3.1), finds an open duplicate, issues the reference and computes the deadlines. A
complaint flagged as a GBV/SEA/SH allegation never becomes an ordinary grievance: it is
stored in the minimal `SensitiveCase` and any identity entered is dropped (SPEC §5.5).
"""

import functools
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, router, transaction
from django.utils import timezone

from grievances import deadlines
from grievances.models import AgeGroup, ContactPreference, Grievance, Residence, SensitiveCase, Sex
from grievances.services.references import new_pin, new_tracking_code, next_reference
from notifications.services import notification_queue_acknowledgement
from pmpp.compiled_sql import JoinedRead, insert_instance, joined_read, quoted
from pmpp.history import insert_history_from_row
from pmpp.limits import max_length_of
from pmpp.models import Channel, DeadlinePolicy, Programme, PublicHoliday

_CNIE = re.compile(r"^[A-Z]{1,2}[0-9]{3,7}$")
_PHONE = re.compile(r"^(?:\+212|00212|0)([5-7][0-9]{8})$")
SENSITIVE_REFERENCE_PREFIX = "VBG"


@dataclass(frozen=True)
class SensitiveDetails:
    """What a GBV/SEA/SH intake records: the minimum of SPEC §5.5, nothing identifying."""

    nature: str
    perpetrator_linked: str = SensitiveCase.Linked.UNKNOWN
    survivor_age_group: str = AgeGroup.UNKNOWN
    survivor_sex: str = Sex.UNKNOWN
    referral_offered: bool = False
    consent_to_refer: bool = False
    consent_to_share_with_focal_point: bool = False
    consent_to_notify_bank: bool = False


@dataclass(frozen=True)
class IntakeResult:
    grievance: Grievance | None
    sensitive_case: SensitiveCase | None = None
    duplicate_of: Grievance | None = None
    similar_to: Grievance | None = None  # kept separate from this open case, with a reason
    pin: str | None = None  # shown once to an anonymous complainant, stored only as a hash

    @property
    def reference(self) -> str:
        return self.grievance.reference if self.grievance else self.sensitive_case.reference


def normalise_cnie(value: str) -> str:
    return re.sub(r"[\s.-]", "", value or "").upper()


def is_cnie(value: str) -> bool:
    """A normalised CNIE number: one or two letters, then 3 to 7 digits (ex. AB123456)."""
    return bool(_CNIE.match(value))


def search_key(value: str) -> str:
    """Lower case without accents, the form names are stored and searched in."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", value or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def name_key(value: str) -> str:
    """The form a complainant's name is stored in for search (`Grievance.search_name`).

    `search_key` with its words in alphabetical order: « Zerouali Fatima », as on the CNIE,
    and « Fatima Zérouali », as said on the phone, are one key, so that a full name typed in
    either order is found by equality on one index (grievances.selectors.grievance_search).
    """
    return " ".join(sorted(search_key(value).split()))


def normalise_phone(value: str) -> str:
    """Moroccan numbers in one form, +2126XXXXXXXX, so that searches and duplicates match."""
    digits = re.sub(r"[\s.()-]", "", value or "")
    match = _PHONE.match(digits)
    return f"+212{match.group(1)}" if match else digits


def reception_datetime(
    *, channel: Channel, provided: datetime | None, now: datetime, recorded_elsewhere: bool = False
) -> datetime:
    """The reception date that starts the deadline clock, by channel (§6.3.1).

    Walk-in and telephone: the moment the agent initiates the complaint in the system, so
    no other date is accepted. Web: when the complainant submitted it. Postal mail: when
    the CAN registered it. chikaya.ma: when it was put online. Médiateur: when the
    transmission arrived. Those dates come from the channel and may be earlier than the
    record (back-dated entry of mail), never later than now. A call or a visit first
    recorded in another system (`recorded_elsewhere`: the call centre's own tool, exported
    and imported here) keeps the date that agent initiated it there, never later than now.
    """
    if channel.kind in (Channel.Kind.WALK_IN, Channel.Kind.PHONE) and not recorded_elsewhere:
        if provided is not None and abs((provided - now).total_seconds()) > 300:
            raise ValidationError(
                {"received_at": "Pour un appel ou un accueil physique, la date de réception est la date de saisie."}
            )
        return now
    received_at = provided or now
    if timezone.is_naive(received_at):
        raise ValidationError({"received_at": "La date de réception doit préciser le fuseau horaire."})
    if received_at > now:
        raise ValidationError({"received_at": "La date de réception ne peut pas être dans le futur."})
    return received_at


def pick_deadline_policy(policies, *, programme: Programme, channel: Channel) -> DeadlinePolicy:
    """Among `policies`, the channel's own (the Médiateur's 60 days) or the programme's default."""
    by_channel = {p.channel_id: p for p in policies if p.programme_id == programme.pk}
    policy = by_channel.get(channel.pk) or by_channel.get(None)
    if policy is None:
        raise ValidationError({"programme": f"Aucune politique de délai n'est définie pour {programme.name}."})
    return policy


def deadline_policy_for(*, programme: Programme, channel: Channel) -> DeadlinePolicy:
    using = router.db_for_read(DeadlinePolicy)
    policies = [policy for (policy,) in _programme_policies(using).rows(using, [programme.pk])]
    return pick_deadline_policy(policies, programme=programme, channel=channel)


@functools.cache
def _programme_policies(using: str) -> JoinedRead:
    """`DeadlinePolicy.objects.filter(programme=…)`, compiled once: every intake reads it."""
    return joined_read(using, DeadlinePolicy, where=f"{quoted(using, DeadlinePolicy, 'programme')} = %s")


def due_dates_under(*, policy: DeadlinePolicy, holidays: frozenset, received_at: datetime) -> tuple:
    """(treatment due date, acknowledgement due date) under `policy`; `holidays` count only
    for a policy in working days."""
    working = policy.day_kind == DeadlinePolicy.DayKind.WORKING
    holidays = holidays if working else frozenset()
    return (
        deadlines.treatment_due_date(
            received_at=received_at, days=policy.treatment_days, working=working, holidays=holidays
        ),
        deadlines.acknowledgement_due_date(
            received_at=received_at, days=policy.acknowledgement_days, working=working, holidays=holidays
        ),
    )


def due_dates(*, programme: Programme, channel: Channel, received_at: datetime) -> tuple:
    """(treatment due date, acknowledgement due date) under the programme's policy."""
    policy = deadline_policy_for(programme=programme, channel=channel)
    working = policy.day_kind == DeadlinePolicy.DayKind.WORKING
    holidays = frozenset(PublicHoliday.objects.values_list("date", flat=True)) if working else frozenset()
    return due_dates_under(policy=policy, holidays=holidays, received_at=received_at)


# Grievance.objects.open().filter(complainant_cnie=…, programme=…, category=…)
# .order_by("received_at").values_list("pk")[:1], written out: every intake runs it, and the
# ORM took 0.4 ms of CPU to build a statement the database answers in 0.1 ms (on the CNIE index).
_OPEN_DUPLICATE_SQL = (
    f'SELECT "id" FROM "{Grievance._meta.db_table}" '  # noqa: S608 — the model's own table
    'WHERE "complainant_cnie" = %s AND "programme_id" = %s AND "category_id" = %s '
    f'AND NOT ("status" IN ({", ".join(["%s"] * len(Grievance.TERMINAL_STATES))})) '
    'ORDER BY "received_at" LIMIT 1'
)


def find_open_duplicate(*, cnie: str, programme: Programme, category) -> Grievance | None:
    """The open complaint of the same person (CNIE) on the same subject (programme, category)
    received first."""
    if not cnie or category is None:
        return None
    # Most intakes have no duplicate: look for its id alone, and read the whole row only
    # when there is one.
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_DUPLICATE_SQL, [cnie, programme.pk, category.pk, *Grievance.TERMINAL_STATES])
        row = cursor.fetchone()
    return None if row is None else Grievance.objects.get(pk=row[0])


def _validate_identity(*, is_anonymous: bool, cnie: str, phone: str, name: str) -> dict[str, str]:
    errors = {}
    if is_anonymous:
        if cnie or phone or name:
            errors["is_anonymous"] = (
                "Une réclamation anonyme ne comporte ni nom, ni CNIE, ni téléphone : "
                "videz ces champs ou décochez « anonyme »."
            )
        return errors
    if not cnie and not phone:
        errors["complainant_cnie"] = "Indiquez la CNIE ou le téléphone du réclamant, ou cochez « anonyme »."
    if cnie and not is_cnie(cnie):
        errors["complainant_cnie"] = "CNIE invalide : une ou deux lettres suivies de chiffres (ex. AB123456)."
    if phone and not phone.startswith("+212"):
        errors["complainant_phone"] = "Numéro de téléphone invalide : un numéro marocain (ex. 0612345678)."
    return errors


def _contact_errors(*, is_anonymous: bool, email: str, phone: str, preferred_contact: str) -> dict[str, str]:
    errors = {}
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["complainant_email"] = "Adresse électronique invalide."
        if is_anonymous:
            errors["complainant_email"] = "Une réclamation anonyme ne comporte pas d'adresse électronique."
    if preferred_contact and preferred_contact not in ContactPreference.values:
        errors["preferred_contact"] = "Canal de contact inconnu."
    elif preferred_contact == ContactPreference.EMAIL and not email:
        errors["complainant_email"] = "Indiquez l'adresse électronique à laquelle vous répondre."
    elif preferred_contact in (ContactPreference.SMS, ContactPreference.PHONE) and not phone:
        errors["complainant_phone"] = "Indiquez le numéro de téléphone auquel vous répondre."
    return errors


def _too_long(value: str, *, field: str, what: str, model=Grievance) -> dict[str, str]:
    """The model's maximum for a text stored as typed, whatever door the intake came through."""
    limit = max_length_of(model, field)
    return {field: f"{what} ({limit} caractères au plus)."} if len(value) > limit else {}


def intake_errors(
    *,
    programme: Programme,
    channel: Channel,
    description: str,
    is_anonymous: bool,
    cnie: str,
    phone: str,
    name: str,
    email: str,
    preferred_contact: str,
    sex: str,
    age_group: str,
    residence: str,
    identity_verified: bool,
    category,
    external_reference: str,
) -> dict[str, str]:
    """The field errors of an intake, its identity and contact already normalised; {} when valid.

    The rules of every intake, live (`grievance_register`) or replayed (`services.replay`).
    """
    errors = _validate_identity(is_anonymous=is_anonymous, cnie=cnie, phone=phone, name=name)
    errors |= _contact_errors(is_anonymous=is_anonymous, email=email, phone=phone, preferred_contact=preferred_contact)
    if not description:
        errors["description"] = "Décrivez l'objet de la réclamation."
    if category is not None and category.programme_id != programme.pk:
        errors["category"] = f"La catégorie « {category.name} » n'appartient pas au programme {programme.name}."
    if sex not in Sex.values:
        errors["complainant_sex"] = "Sexe inconnu."
    if age_group not in AgeGroup.values:
        errors["complainant_age_group"] = "Tranche d'âge inconnue."
    if residence and residence not in Residence.values:
        errors["residence"] = "Milieu inconnu : urbain ou rural."
    if is_anonymous and identity_verified:
        errors["identity_verified"] = "L'identité d'un réclamant anonyme ne peut pas être vérifiée."
    errors |= _too_long(description, field="description", what="Description trop longue")
    errors |= _too_long(name, field="complainant_name", what="Nom trop long")
    errors |= _too_long(external_reference.strip(), field="external_reference", what="Référence externe trop longue")
    if not programme.is_active:
        errors["programme"] = f"Le programme {programme.name} n'est plus actif."
    if not channel.is_active:
        errors["channel"] = f"Le canal « {channel.name} » n'est plus actif."
    return errors


def grievance_register(
    *,
    actor,
    programme: Programme,
    channel: Channel,
    description: str,
    received_at: datetime | None = None,
    is_anonymous: bool = False,
    cnie: str = "",
    phone: str = "",
    name: str = "",
    email: str = "",
    preferred_contact: str = "",
    sex: str = Sex.UNKNOWN,
    age_group: str = AgeGroup.UNKNOWN,
    region=None,
    residence: str = "",
    identity_verified: bool = False,
    category=None,
    external_reference: str = "",
    duplicate_override_reason: str = "",
    sensitive: SensitiveDetails | None = None,
    notify_complainant: bool = True,
    recorded_elsewhere: bool = False,
    assignee=None,
) -> IntakeResult:
    """Record a request received by any channel and issue its reference (§6.1, §6.3.1).

    The complainant is acknowledged (notifications outbox) unless `notify_complainant` is
    off, e.g. for a bulk import of complaints already acknowledged elsewhere. `assignee`
    owns the case from its registration (`intake_owner`: the agent who registers it by hand);
    they must be able to see it, as for any assignment. A case linked as a duplicate is
    nobody's: it is not worked.

    Every check and read comes first, outside any transaction of its own; the writes then run
    in one atomic block without a savepoint (`savepoint=False`): inside a caller's transaction
    (the API's idempotency row, an import row) a failed write rolls the caller's block back
    with it, as the callers expect, and a refused intake has written nothing to undo.
    """
    now = timezone.now()
    if actor is not None and not actor.has_perm("grievances.register_grievance"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Vous n'êtes pas autorisé·e à enregistrer une réclamation.")
    received_at = reception_datetime(
        channel=channel, provided=received_at, now=now, recorded_elsewhere=recorded_elsewhere
    )
    if sensitive is not None:
        _check_sensitive(sensitive)
        with transaction.atomic(savepoint=False):
            case = _register_sensitive(
                actor=actor, programme=programme, channel=channel, received_at=received_at, details=sensitive
            )
        return IntakeResult(grievance=None, sensitive_case=case)

    cnie, phone, name = normalise_cnie(cnie), normalise_phone(phone), (name or "").strip()
    email = (email or "").strip().lower()
    description = (description or "").strip()
    errors = intake_errors(
        programme=programme,
        channel=channel,
        description=description,
        is_anonymous=is_anonymous,
        cnie=cnie,
        phone=phone,
        name=name,
        email=email,
        preferred_contact=preferred_contact,
        sex=sex,
        age_group=age_group,
        residence=residence,
        identity_verified=identity_verified,
        category=category,
        external_reference=external_reference,
    )
    errors |= _too_long(
        duplicate_override_reason.strip(),
        field="duplicate_override_reason",
        what="Motif d'ouverture malgré le doublon trop long",
    )
    if errors:
        raise ValidationError(errors)

    original = find_open_duplicate(cnie=cnie, programme=programme, category=category)
    due_on, acknowledgement_due_on = due_dates(programme=programme, channel=channel, received_at=received_at)
    pin, pin_hash = new_pin() if is_anonymous else (None, "")
    grievance = Grievance(
        tracking_code=new_tracking_code(),
        pin_hash=pin_hash,
        programme=programme,
        channel=channel,
        received_at=received_at,
        created_at=now,
        created_by=actor,
        external_reference=external_reference.strip(),
        is_anonymous=is_anonymous,
        complainant_cnie=cnie,
        complainant_phone=phone,
        complainant_name=name,
        complainant_email=email,
        preferred_contact=preferred_contact,
        search_name=name_key(name),
        complainant_sex=sex,
        complainant_age_group=age_group,
        region=region,
        residence=residence,
        identity_verified=identity_verified,
        description=description,
        category=category,
        due_on=due_on,
        acknowledgement_due_on=acknowledgement_due_on,
        duplicate_override_reason=duplicate_override_reason.strip() if original is not None else "",
    )
    if assignee is not None and (original is None or grievance.duplicate_override_reason):
        from grievances.services.workflow.assignment import check_assignee

        check_assignee(assignee, grievance, field="assignee")
        grievance.assigned_to = assignee
    with transaction.atomic(savepoint=False):
        return _record(
            actor=actor,
            now=now,
            original=original,
            notify_complainant=notify_complainant,
            pin=pin,
            grievance=grievance,
        )


def intake_owner(*, actor):
    """Who owns a case an agent registers by hand: that agent (issue 18), unless turned off.

    Only people who work cases (an agent, a case handler, the head of service, a closing
    officer); not the API's or the portal's accounts, nor a file import, which do not call this.
    """
    from grievances.people import WORKING_ROLES
    from pmpp import roles

    if actor is None or not settings.PMPP_ASSIGN_REGISTERING_AGENT:
        return None
    return actor if roles.role_codes_for(actor) & set(WORKING_ROLES) else None


def _record(*, actor, now, grievance: Grievance, original, notify_complainant: bool, pin) -> IntakeResult:
    """The writes of an intake: reference, grievance and its history row, duplicate link, acknowledgement."""
    grievance.reference = next_reference(
        prefix=grievance.programme.reference_prefix, year=timezone.localdate(grievance.received_at).year
    )
    if grievance.duplicate_override_reason:
        # Kept separate by the agent, with a reason: similar to the open case, not its duplicate.
        grievance.similar_to = original
    grievance._change_reason = f"Enregistrement ({grievance.channel.name})"
    if grievance.assigned_to is not None:
        from grievances.people import full_name

        grievance._change_reason += f", attribuée à {full_name(grievance.assigned_to)}"
    grievance._history_transition = "register"
    grievance._history_user = actor
    # Its history row is copied from the row by the database (pmpp.history): the ORM's copy of
    # 79 columns was the intake's largest cost after the INSERT itself.
    grievance.skip_history_when_saving = True
    try:
        insert_instance(grievance)
    finally:
        del grievance.skip_history_when_saving
    insert_history_from_row(
        grievance, history_type="+", user=actor, reason=grievance._change_reason, transition="register"
    )

    if original is not None and not grievance.duplicate_override_reason:
        # Same person, same subject, still open: linked to the live case, not counted twice.
        grievance.mark_duplicate(original=original)
        grievance._change_reason = (
            f"Doublon de {original.reference}, dossier ouvert pour la même personne et le même objet"
        )
        grievance._history_transition = "mark_duplicate"
        grievance.save(update_fields=["status", "duplicate_of"])
        # No second acknowledgement: the complainant was acknowledged for the open case this
        # one is linked to, and will hear of its outcome; a duplicate is not a new file.
        return IntakeResult(grievance=grievance, duplicate_of=original)
    # In this transaction: a rolled-back intake sends nothing. Sensitive intakes returned
    # above and notify no one (the GBV referent is alerted by the deadline sweep).
    if notify_complainant:
        notification_queue_acknowledgement(grievance=grievance)
    return IntakeResult(grievance=grievance, duplicate_of=None, similar_to=grievance.similar_to, pin=pin)


def _check_sensitive(details: SensitiveDetails) -> None:
    if not (details.nature or "").strip():
        raise ValidationError({"nature": "Décrivez la nature de l'allégation, dans les termes du plaignant."})
    errors = _too_long(
        details.nature.strip(), field="nature", what="Nature de l'allégation trop longue", model=SensitiveCase
    )
    if details.perpetrator_linked not in SensitiveCase.Linked.values:
        errors["perpetrator_linked"] = "Valeur inconnue : oui, non ou ne sait pas."
    if details.survivor_age_group not in AgeGroup.values:
        errors["survivor_age_group"] = "Tranche d'âge inconnue."
    if details.survivor_sex not in Sex.values:
        errors["survivor_sex"] = "Sexe inconnu."
    if errors:
        raise ValidationError(errors)


def _register_sensitive(*, actor, programme, channel, received_at, details: SensitiveDetails) -> SensitiveCase:
    case = SensitiveCase(
        reference=next_reference(prefix=SENSITIVE_REFERENCE_PREFIX, year=timezone.localdate(received_at).year),
        programme=programme,
        channel=channel,
        received_at=received_at,
        nature=details.nature.strip(),
        perpetrator_linked=details.perpetrator_linked,
        survivor_age_group=details.survivor_age_group,
        survivor_sex=details.survivor_sex,
        referral_offered=details.referral_offered,
        consent_to_refer=details.consent_to_refer,
        consent_to_share_with_focal_point=details.consent_to_share_with_focal_point,
        consent_to_notify_bank=details.consent_to_notify_bank,
        referral_due_at=deadlines.referral_due_at(received_at=received_at, hours=settings.PMPP_REFERRAL_HOURS),
    )
    case._change_reason = "Enregistrement d'un cas sensible"
    case._history_transition = "register"
    case._history_user = actor
    case.save(force_insert=True)
    return case
