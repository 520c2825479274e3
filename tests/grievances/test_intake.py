"""Intake (PMPP §6.1, §6.3.1): every request recorded, dated by its channel's rule, referenced."""

import re
import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grievances.models import Grievance, SensitiveCase
from grievances.services.intake import SensitiveDetails, grievance_register
from grievances.services.references import pin_matches
from pmpp.models import Channel, ComplaintCategory, DeadlinePolicy, Programme, PublicHoliday

pytestmark = pytest.mark.django_db
S = Grievance.Status


def test_a_complaint_gets_a_readable_reference_per_programme_and_year_and_a_random_tracking_code(walk):
    first, second = walk.register(), walk.register()
    year = timezone.localdate().year
    assert re.fullmatch(rf"TAY-{year}-\d{{6}}", first.reference)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1
    assert re.fullmatch(r"[A-Z2-9]{12}", first.tracking_code)
    assert first.tracking_code != second.tracking_code
    assert first.reference not in first.tracking_code


def test_references_count_separately_per_programme(walk, salma):
    daam = Programme.objects.get(code="daam")
    g = walk.register(programme=daam, category=ComplaintCategory.objects.get(programme=daam, code="paiement"))
    assert g.reference.startswith(f"DAA-{timezone.localdate().year}-000001")


def test_the_reference_year_is_the_reception_year(walk):
    postal = Channel.objects.get(code="postal")
    received = timezone.now() - timedelta(days=400)
    g = walk.register(channel=postal, received_at=received)
    assert g.reference.startswith(f"TAY-{timezone.localdate(received).year}-")


def test_a_phone_complaint_is_received_when_the_agent_initiates_it(walk):
    before = timezone.now()
    g = walk.register()
    assert before <= g.received_at <= timezone.now()


def test_a_phone_complaint_cannot_be_back_dated(walk):
    with pytest.raises(ValidationError) as error:
        walk.register(received_at=timezone.now() - timedelta(days=2))
    assert "received_at" in error.value.message_dict


def test_postal_mail_is_received_on_the_date_the_can_registered_it(walk):
    postal = Channel.objects.get(code="postal")
    registered_by_can = timezone.now() - timedelta(days=6)
    g = walk.register(channel=postal, received_at=registered_by_can)
    assert g.received_at == registered_by_can
    assert g.created_at > g.received_at
    assert g.due_on == timezone.localdate(registered_by_can) + timedelta(days=10)


def test_a_reception_date_in_the_future_is_refused(walk):
    web = Channel.objects.get(code="web-portal")
    with pytest.raises(ValidationError) as error:
        walk.register(channel=web, received_at=timezone.now() + timedelta(hours=2))
    assert error.value.message_dict == {"received_at": ["La date de réception ne peut pas être dans le futur."]}


def test_the_mediateur_gives_sixty_days(walk):
    mediateur = Channel.objects.get(code="mediateur")
    g = walk.register(channel=mediateur, received_at=timezone.now() - timedelta(days=1))
    assert g.due_on == timezone.localdate(g.received_at) + timedelta(days=60)


def test_a_working_days_policy_skips_weekends_and_moroccan_holidays(walk, tayssir):
    policy = DeadlinePolicy.objects.get(programme=tayssir, channel=None)
    policy.day_kind = DeadlinePolicy.DayKind.WORKING
    policy.treatment_days = 1
    policy.save()
    postal = Channel.objects.get(code="postal")
    # Monday 29 July 2024; Tuesday 30 July is the Throne Day (Fête du Trône).
    monday = timezone.make_aware(timezone.datetime(2024, 7, 29, 10, 0))
    assert PublicHoliday.objects.filter(date=date(2024, 7, 30)).exists()
    g = walk.register(channel=postal, received_at=monday)
    assert g.due_on == date(2024, 7, 31)


def test_the_acknowledgement_is_due_two_days_after_reception(walk):
    g = walk.register()
    assert g.acknowledgement_due_on == timezone.localdate(g.received_at) + timedelta(days=2)


def test_identity_is_normalised_for_search_and_duplicates(walk):
    g = walk.register(cnie=" ab 123456 ", phone="06.12.34.56.78")
    assert (g.complainant_cnie, g.complainant_phone) == ("AB123456", "+212612345678")


def test_a_named_complaint_needs_a_cnie_or_a_phone(walk):
    with pytest.raises(ValidationError) as error:
        walk.register(cnie="", phone="")
    assert "complainant_cnie" in error.value.message_dict


@pytest.mark.parametrize(("field", "value"), [("cnie", "123456"), ("phone", "12345")])
def test_a_malformed_identity_is_refused_naming_the_field(walk, field, value):
    with pytest.raises(ValidationError) as error:
        walk.register(**{field: value})
    assert f"complainant_{field}" in error.value.message_dict


def test_an_anonymous_complaint_has_no_identity_and_gets_a_pin(walk, salma, tayssir, phone):
    result = grievance_register(
        actor=salma,
        programme=tayssir,
        channel=phone,
        description="Harcèlement au guichet de paiement",
        is_anonymous=True,
    )
    g = result.grievance
    assert g.is_anonymous
    assert g.complainant_cnie == g.complainant_name == ""
    assert re.fullmatch(r"\d{6}", result.pin)
    assert pin_matches(pin=result.pin, pin_hash=g.pin_hash)
    assert result.pin not in g.pin_hash


def test_an_anonymous_complaint_with_identity_is_refused(walk):
    with pytest.raises(ValidationError) as error:
        walk.register(is_anonymous=True)
    assert "is_anonymous" in error.value.message_dict


def test_the_same_person_on_the_same_subject_is_linked_as_a_duplicate(walk):
    original = walk.register()
    again = walk.register(cnie=original.complainant_cnie)
    assert again.status == S.DUPLICATE
    assert again.duplicate_of == original
    assert again.history.latest("history_id").history_change_reason.startswith(f"Doublon de {original.reference}")


def test_a_duplicate_result_says_so(walk, salma, tayssir, phone, payment_category):
    original = walk.register()
    result = grievance_register(
        actor=salma,
        programme=tayssir,
        channel=phone,
        description="Toujours rien",
        cnie=original.complainant_cnie,
        category=payment_category,
    )
    assert result.duplicate_of == original


def test_an_agent_can_open_a_second_case_with_a_reason(walk):
    original = walk.register()
    again = walk.register(cnie=original.complainant_cnie, duplicate_override_reason="Second enfant concerné")
    assert again.status == S.RECEIVED
    # Kept separate: similar to the open case, not its duplicate (issue 18).
    assert again.similar_to == original
    assert again.duplicate_of is None


def test_the_original_is_the_open_case_received_first_not_the_one_registered_first(walk):
    # A platform's files carry their own reception date: the later registration was received earlier.
    chikaya = Channel.objects.get(code="chikaya")
    now = timezone.now()
    registered_first = walk.register(channel=chikaya, received_at=now - timedelta(days=1))
    received_first = walk.register(
        cnie=registered_first.complainant_cnie,
        channel=chikaya,
        received_at=now - timedelta(days=3),
        duplicate_override_reason="Second enfant concerné",
    )
    again = walk.register(cnie=registered_first.complainant_cnie)
    once_more = walk.register(cnie=registered_first.complainant_cnie)

    assert received_first.status == S.RECEIVED
    assert again.duplicate_of == received_first
    assert once_more.duplicate_of == received_first  # never the duplicate linked just before


def test_a_closed_complaint_is_not_a_duplicate_target(walk):
    closed = walk.closed()
    again = walk.register(cnie=closed.complainant_cnie)
    assert again.status == S.RECEIVED


def test_another_subject_is_not_a_duplicate(walk, tayssir):
    original = walk.register()
    other = ComplaintCategory.objects.get(programme=tayssir, code="inscription-rejetee")
    assert walk.register(cnie=original.complainant_cnie, category=other).status == S.RECEIVED


def test_a_sensitive_complaint_is_stored_in_the_minimal_model_and_identity_is_discarded(salma, tayssir, phone):
    result = grievance_register(
        actor=salma,
        programme=tayssir,
        channel=phone,
        description="Nom et CNIE donnés par la victime",
        cnie="AB123456",
        phone="0612345678",
        name="Victime",
        sensitive=SensitiveDetails(nature="Un agent a exigé une faveur sexuelle", perpetrator_linked="yes"),
    )
    assert result.grievance is None
    case = result.sensitive_case
    assert case.reference.startswith("VBG-")
    assert not Grievance.objects.exists()
    stored = " ".join(str(getattr(case, f.attname)) for f in SensitiveCase._meta.concrete_fields)
    for identity in ("AB123456", "612345678", "Victime"):
        assert identity not in stored
    # Only a case flagged from a grievance takes over an identity (grievance_flag_sensitive).
    assert {name: getattr(case, name) for name in SensitiveCase.IDENTITY_FIELDS} == dict.fromkeys(
        SensitiveCase.IDENTITY_FIELDS
    )
    assert case.referral_due_at == case.received_at + timedelta(hours=24)


def test_only_a_role_that_registers_may_register(omar, tayssir, phone):
    with pytest.raises(PermissionDenied):
        grievance_register(actor=omar, programme=tayssir, channel=phone, description="x", phone="0612345678")


def test_bad_input_is_refused_naming_each_field_and_saves_nothing(walk, tayssir):
    other_category = ComplaintCategory.objects.get(programme__code="amo-tadamon", code="paiement")
    with pytest.raises(ValidationError) as error:
        walk.register(description="  ", category=other_category, sex="x")
    assert {"description", "category", "complainant_sex"} <= set(error.value.message_dict)
    assert not Grievance.objects.exists()


def test_registering_takes_fewer_than_fifteen_queries(walk, salma):
    salma.role_codes()
    salma.get_all_permissions()
    with CaptureQueriesContext(connection) as queries:
        walk.register()
    assert len(queries) < 15, "\n".join(q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="real concurrency needs PostgreSQL (CI)")
def test_references_stay_unique_under_concurrent_creation(walk):
    references, errors = [], []
    walk.register()  # the year's counter row exists; the race is on incrementing it

    def create():
        from django.db import connection as thread_connection

        try:
            references.append(walk.register().reference)
        except Exception as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(references)) == 8


def test_the_complainant_may_give_an_email_and_how_to_be_answered(walk):
    grievance = grievance_register(
        actor=walk.agent,
        programme=walk.programme,
        channel=walk.channel,
        description="Bourse non versée.",
        cnie="AB123456",
        email="  Fatima.Benali@Example.ma ",
        preferred_contact="email",
    ).grievance
    assert (grievance.complainant_email, grievance.preferred_contact) == ("fatima.benali@example.ma", "email")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"cnie": "AB123456", "email": "pas-une-adresse"}, "complainant_email", "Adresse électronique invalide"),
        ({"cnie": "AB123456", "preferred_contact": "email"}, "complainant_email", "adresse électronique"),
        ({"cnie": "AB123456", "preferred_contact": "sms"}, "complainant_phone", "numéro de téléphone"),
        ({"cnie": "AB123456", "preferred_contact": "pigeon"}, "preferred_contact", "Canal de contact inconnu"),
        ({"is_anonymous": True, "email": "x@example.ma"}, "complainant_email", "anonyme"),
    ],
)
def test_contact_details_are_checked(walk, fields, field, message):
    with pytest.raises(ValidationError) as error:
        grievance_register(
            actor=walk.agent, programme=walk.programme, channel=walk.channel, description="Bourse.", **fields
        )
    assert message in " ".join(error.value.message_dict[field])
    assert not Grievance.objects.exists()


def test_a_call_recorded_in_the_call_centres_own_tool_keeps_the_date_of_the_call(walk):
    called = timezone.now() - timedelta(days=2)
    grievance = grievance_register(
        actor=walk.agent,
        programme=walk.programme,
        channel=walk.channel,  # the call centre
        description="Bourse non versée.",
        cnie="AB123456",
        received_at=called,
        recorded_elsewhere=True,
    ).grievance
    assert grievance.received_at == called
    with pytest.raises(ValidationError, match="futur"):
        grievance_register(
            actor=walk.agent,
            programme=walk.programme,
            channel=walk.channel,
            description="Bourse non versée.",
            cnie="AB654321",
            received_at=timezone.now() + timedelta(hours=1),
            recorded_elsewhere=True,
        )
