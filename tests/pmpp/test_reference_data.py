"""Reference data of the PMPP is seeded once, idempotently, and editable with history."""

import pytest
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
)
from pmpp.reference_data import load_reference_data

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
