"""Reference data of the PMPP is seeded once, idempotently, and editable with history."""

import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from pmpp.models import (
    Channel,
    ComplaintCategory,
    DeadlinePolicy,
    NotComplaintKind,
    Organisation,
    Programme,
    Province,
    Region,
    UnfoundedReason,
    Unit,
)
from pmpp.reference_data import ARABIC_NAME_REASON, PROVINCES, load_reference_data
from stakeholders.seed import ARABIC_NAME_REASON as SEED_ARABIC_NAME_REASON
from stakeholders.seed import load_stakeholder_seed

pytestmark = pytest.mark.django_db
REFERENCE_MODELS = [
    Organisation,
    Programme,
    Region,
    Province,
    Channel,
    ComplaintCategory,
    UnfoundedReason,
    NotComplaintKind,
    DeadlinePolicy,
]


def _counts():
    return {model.__name__: (model.objects.count(), model.history.count()) for model in REFERENCE_MODELS}


def test_the_five_programmes_with_their_supervising_and_managing_organisations():
    programmes = {
        p.code: (p.component, p.supervising_organisation.acronym, p.managing_organisation.acronym)
        for p in Programme.objects.select_related("supervising_organisation", "managing_organisation")
    }
    assert programmes == {
        "tadamon-covid": (1, "MEF-DB", "MEF-DB"),
        "tayssir": (2, "MENPS", "CDG Prévoyance / CNRA"),
        "daam": (2, "MSISF", "CDG Prévoyance / CNRA"),
        "allocations-familiales": (3, "MEF-DB", "MEF-DB"),
        "amo-tadamon": (4, "MI", "CNSS"),
    }


def test_twelve_regions_and_their_seventy_five_prefectures_and_provinces():
    assert Region.objects.count() == 12
    assert Province.objects.count() == 75
    assert Region.objects.get(name="Dakhla-Oued Ed-Dahab").provinces.count() == 2
    assert Province.objects.get(name="Casablanca").kind == Province.Kind.PREFECTURE


def test_tayssir_categories_carry_types_and_the_massar_partner_flag():
    tayssir = ComplaintCategory.objects.filter(programme__code="tayssir")
    assert {c.type_number: c.name for c in tayssir if c.type_number} == {
        1: "Inscription rejetée",
        2: "Paiement non reçu",
        3: "Paiement incomplet / montant de la bourse",
    }
    partner_flagged = tayssir.filter(needs_partner=True)
    assert partner_flagged.count() == 3
    assert set(partner_flagged.values_list("partner_organisation__code", flat=True)) == {"menps"}
    assert tayssir.filter(code__in=["technique", "autre"]).count() == 2


def test_every_programme_has_categories():
    assert not Programme.objects.filter(categories__isnull=True).exists()


def test_unfounded_reasons_and_not_a_complaint_kinds_of_section_6_2_3():
    assert UnfoundedReason.objects.count() == 3
    assert NotComplaintKind.objects.count() == 3


def test_deadline_policies_are_ten_days_and_sixty_for_the_mediateur():
    for programme in Programme.objects.all():
        default = DeadlinePolicy.objects.get(programme=programme, channel=None)
        mediateur = DeadlinePolicy.objects.get(programme=programme, channel__code="mediateur")
        assert (default.treatment_days, default.day_kind) == (10, "calendar")
        assert mediateur.treatment_days == 60


def test_channels_carry_their_reception_date_rule():
    assert Channel.objects.get(code="postal").kind == Channel.Kind.POSTAL
    assert "CAN" in Channel.objects.get(code="postal").reception_date_rule
    assert Channel.objects.get(code="chikaya").is_web
    assert not Channel.objects.get(code="call-centre").is_web


def test_loading_twice_creates_no_duplicates_and_no_history():
    before = _counts()
    assert load_reference_data() == {}
    call_command("load_reference", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == before


def test_a_deleted_row_is_restored_and_an_edited_row_is_kept():
    UnfoundedReason.objects.get(code="fausse-declaration").delete()
    region = Region.objects.get(code="04")
    region.name = "Rabat-Salé-Kénitra (corrigé)"
    region.save()
    created = load_reference_data()
    assert created == {"UnfoundedReason": 1}
    assert Region.objects.get(code="04").name == "Rabat-Salé-Kénitra (corrigé)"


def test_seeded_rows_have_an_initial_history_entry_with_its_reason():
    record = Programme.history.filter(code="tayssir").earliest("history_date")
    assert record.history_type == "+"
    assert record.history_change_reason == "Chargement initial des référentiels du PMPP"


def test_an_edit_in_the_admin_is_recorded_in_history(client, amina):
    channel = Channel.objects.get(code="call-centre")
    client.force_login(amina)
    response = client.post(
        reverse("admin:pmpp_channel_change", args=[channel.pk]),
        {
            "name": "Centre d'appel 1212",
            "name_ar": channel.name_ar,
            "is_active": "on",
            "kind": channel.kind,
            "reception_date_rule": channel.reception_date_rule,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = channel.history.latest("history_date")
    assert latest.name == "Centre d'appel 1212"
    assert latest.history_user == amina
    assert channel.history.count() == 2


def test_reference_rows_cannot_be_deleted_from_the_admin(client, admin_user):
    client.force_login(admin_user)
    region = Region.objects.get(code="01")
    response = client.post(reverse("admin:pmpp_region_delete", args=[region.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Region.objects.filter(pk=region.pk).exists()


ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")


def _models_with_an_arabic_name():
    """Every model with a `name_ar` (reference data, stakeholder groups…), history tables aside."""
    return [
        model
        for model in apps.get_models()
        if any(field.name == "name_ar" for field in model._meta.concrete_fields)
        and not model.__name__.startswith("Historical")
    ]


def test_every_row_of_every_model_with_an_arabic_name_has_one_in_arabic_letters(settings):
    settings.DEBUG = True
    load_reference_data()
    load_stakeholder_seed()
    call_command("load_demo", "--grievances=3", stdout=open("/dev/null", "w"))  # noqa: SIM115
    models = _models_with_an_arabic_name()
    assert {Organisation, Programme, Region, Province, Channel, ComplaintCategory, Unit} <= set(models)
    assert {UnfoundedReason, NotComplaintKind} <= set(models)
    assert "StakeholderGroup" in {model.__name__ for model in models}
    for model in models:
        assert model.objects.exists(), model.__name__
        missing = [str(row.pk) + " " + row.name for row in model.objects.all() if not ARABIC_LETTER.search(row.name_ar)]
        assert missing == [], model.__name__
    assert Province.objects.get(name="Agadir Ida-Outanane").name_ar == "أكادير إداوتنان"
    assert Organisation.objects.get(code="lms-csa").name_ar == "مكتب الدراسات LMS-CSA"
    assert Organisation.objects.get(code="ipea").name_ar == "معهد البحث الاقتصادي التطبيقي، البرازيل (IPEA)"


def test_the_seed_names_every_province_in_arabic():
    names = [name_ar for entries in PROVINCES.values() for _entry, name_ar in entries]
    assert len(names) == 75
    assert all(ARABIC_LETTER.search(name) for name in names)
    assert len(set(names)) == 75


def test_a_blank_arabic_name_of_an_existing_row_is_filled_with_history_and_an_edited_one_is_kept():
    load_stakeholder_seed()
    # An installation seeded before the names were translated: blank Arabic names.
    Province.objects.update(name_ar="")
    Organisation.objects.filter(code__in=["lms-csa", "ipea"]).update(name_ar="")
    ComplaintCategory.objects.filter(programme__code="tayssir", code="paiement-non-recu").update(name_ar="")
    # An administrator's own Arabic names.
    edited_province = Province.objects.get(name="Agadir Ida-Outanane")
    edited_province.name_ar = "عمالة أكادير إداوتنان"
    edited_province.save()
    edited_region = Region.objects.get(code="04")
    edited_region.name_ar = "جهة الرباط سلا القنيطرة"
    edited_region.save()
    province_history = Province.history.count()

    assert load_reference_data() == {}
    assert load_stakeholder_seed() == {}

    assert not Province.objects.filter(name_ar="").exists()
    assert Province.objects.get(name="Tiznit").name_ar == "تيزنيت"
    assert Province.objects.get(pk=edited_province.pk).name_ar == "عمالة أكادير إداوتنان"
    assert Region.objects.get(code="04").name_ar == "جهة الرباط سلا القنيطرة"
    category = ComplaintCategory.objects.get(programme__code="tayssir", code="paiement-non-recu")
    assert category.name_ar == "عدم التوصل بالمنحة"
    assert Organisation.objects.get(code="lms-csa").name_ar == "مكتب الدراسات LMS-CSA"

    # Each filled row has one history entry with its reason; the edited province none more.
    assert Province.history.count() == province_history + 74
    filled = Province.objects.get(name="Tiznit").history.latest("history_date")
    assert (filled.history_type, filled.history_change_reason, filled.name_ar) == ("~", ARABIC_NAME_REASON, "تيزنيت")
    assert edited_province.history.latest("history_date").name_ar == "عمالة أكادير إداوتنان"
    assert category.history.latest("history_date").history_change_reason == ARABIC_NAME_REASON
    organisation = Organisation.objects.get(code="ipea").history.latest("history_date")
    assert organisation.history_change_reason == SEED_ARABIC_NAME_REASON

    # Filled once: a further load writes nothing.
    before = _counts()
    assert load_reference_data() == {}
    assert load_stakeholder_seed() == {}
    assert _counts() == before
