"""The registry screens seen through the test client: who reads, who writes, what each page shows."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from stakeholders import services
from stakeholders.models import CorrectiveAction, EngagementActivity, Minutes, Risk, Stakeholder
from tests.stakeholders.builders import (
    PDF,
    make_action,
    make_activity,
    make_campaign,
    make_group,
    make_representative,
    make_risk,
    make_stakeholder,
    organisation,
    programme,
    today,
    verify,
)

pytestmark = pytest.mark.django_db
KINDS = ["group", "stakeholder", "representative", "activity", "campaign", "action", "risk"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def registry(leila):
    """One row of each kind, with the evidence that hangs off them."""
    group = make_group()
    representative = make_representative(group=group)
    verify(representative, by=leila, expires_in=10)
    activity = make_activity()
    minutes = services.minutes_write(activity=activity, actor=leila, text="Compte rendu du focus group.")
    attachment = services.minutes_attachment_add(
        minutes=minutes, actor=leila, uploaded_file=SimpleUploadedFile("feuille.pdf", PDF, "application/pdf")
    )
    services.concern_add(activity=activity, actor=leila, theme="Paiement", description="Retards de paiement")
    action = make_action(source_activity=activity)
    return {
        "group": group,
        "stakeholder": make_stakeholder(),
        "representative": representative,
        "activity": activity,
        "campaign": make_campaign(lines=[("Spot radio", "1000", "500")]),
        "action": action,
        "risk": make_risk(),
        "minutes": minutes,
        "attachment": attachment,
        "concern": activity.concerns.get(),
    }


def _get(client, name, *args, **query):
    return client.get(reverse(f"stakeholders:{name}", args=args), query)


# --- who may read, who may write ------------------------------------------------------------------------


def test_ministry_staff_can_read_every_list_detail_and_export(client, registry, omar):
    client.force_login(omar)
    for name in ("home", "map", "mandates_due"):
        assert _get(client, name).status_code == 200, name
    for kind in KINDS:
        assert _get(client, f"{kind}_list").status_code == 200, kind
        assert _get(client, f"{kind}_detail", registry[kind].pk).status_code == 200, kind
        for fmt in ("csv", "xlsx"):
            assert _get(client, f"{kind}_export", fmt).status_code == 200, (kind, fmt)
    assert _get(client, "minutes_attachment_download", registry["attachment"].pk).status_code == 200


def test_ministry_staff_are_offered_no_button_to_change_anything(client, registry, omar):
    client.force_login(omar)
    for kind in KINDS:
        assert 'id="add-button"' not in _get(client, f"{kind}_list").content.decode(), kind
        page = _get(client, f"{kind}_detail", registry[kind].pk).content.decode()
        assert 'id="edit-button"' not in page, kind
        main = page[page.index('<main id="main"') : page.index("</main>")]
        assert 'method="post"' not in main, kind


def _write_urls(registry) -> list[tuple[str, list]]:
    minutes, activity = registry["minutes"], registry["activity"]
    line = registry["campaign"].lines.get()
    return [
        *[(f"{kind}_create", []) for kind in KINDS],
        *[(f"{kind}_edit", [registry[kind].pk]) for kind in KINDS],
        ("mandate_verify", [registry["representative"].pk]),
        ("concern_add", [activity.pk]),
        ("concern_edit", [registry["concern"].pk]),
        ("minutes_write", [activity.pk]),
        ("minutes_validate", [minutes.pk]),
        ("minutes_correct", [minutes.pk]),
        ("minutes_attachment_add", [minutes.pk]),
        ("budget_line_create", [registry["campaign"].pk]),
        ("budget_line_edit", [line.pk]),
        ("action_step", [registry["action"].pk, "start"]),
        ("action_step", [registry["action"].pk, "complete"]),
        ("action_step", [registry["action"].pk, "cancel"]),
        ("progress_note_add", [registry["action"].pk]),
        ("risk_status", [registry["risk"].pk]),
    ]


def test_ministry_staff_get_403_on_every_form_and_post(client, registry, omar):
    client.force_login(omar)
    for name, args in _write_urls(registry):
        url = reverse(f"stakeholders:{name}", args=args)
        if name != "minutes_validate" and name != "minutes_attachment_add":
            assert client.get(url).status_code == 403, (name, "GET")
        assert client.post(url, {"text": "x", "name": "x", "step": "close", "status_note": "x"}).status_code == 403, (
            name,
            "POST",
        )
    minutes = registry["minutes"]
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT
    assert minutes.text == "Compte rendu du focus group."
    assert registry["action"].history.count() == 1


def test_the_head_of_beneficiary_services_reads_the_registry_but_changes_nothing(client, registry, nadia):
    client.force_login(nadia)
    assert _get(client, "home").status_code == 200
    assert _get(client, "activity_detail", registry["activity"].pk).status_code == 200
    assert _get(client, "activity_create").status_code == 403
    assert client.post(reverse("stakeholders:minutes_validate", args=[registry["minutes"].pk])).status_code == 403


def test_agents_are_refused_the_whole_registry(client, registry, salma):
    client.force_login(salma)
    refused = [reverse(f"stakeholders:{name}") for name in ("home", "map", "mandates_due")]
    for kind in KINDS:
        refused += [
            reverse(f"stakeholders:{kind}_list"),
            reverse(f"stakeholders:{kind}_export", args=["csv"]),
            reverse(f"stakeholders:{kind}_detail", args=[registry[kind].pk]),
        ]
    refused += [reverse(f"stakeholders:{name}", args=args) for name, args in _write_urls(registry)]
    for url in refused:
        assert client.get(url).status_code in (403, 404, 405), url
        assert client.post(url, {"text": "x"}).status_code in (403, 404, 405), url
    assert _get(client, "minutes_attachment_download", registry["attachment"].pk).status_code == 404
    assert reverse("stakeholders:home") not in client.get(reverse("home")).content.decode()


def test_the_registry_is_in_the_navigation_of_its_readers(client, leila, omar, nadia):
    for user in (leila, omar, nadia):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert f'href="{reverse("stakeholders:home")}"' in page
        assert f'href="{reverse("stakeholders:activity_list")}"' in page


def test_the_focal_point_sees_the_add_and_edit_buttons(client, registry, leila):
    client.force_login(leila)
    for kind in KINDS:
        assert 'id="add-button"' in _get(client, f"{kind}_list").content.decode(), kind
        assert 'id="edit-button"' in _get(client, f"{kind}_detail", registry[kind].pk).content.decode(), kind
        assert _get(client, f"{kind}_create").status_code == 200, kind
        assert _get(client, f"{kind}_edit", registry[kind].pk).status_code == 200, kind


# --- forms -----------------------------------------------------------------------------------------------


def test_the_focal_point_creates_an_activity_and_history_says_who(client, leila):
    client.force_login(leila)
    response = client.post(
        reverse("stakeholders:activity_create"),
        {
            "type": "public_consultation",
            "title": "Consultation publique AMO TADAMON à Oujda",
            "start_date": "2024-05-14",
            "organiser": organisation("cnss").pk,
            "programmes": [programme("amo-tadamon").pk],
            "participants_women": "31",
            "participants_men": "24",
            "participants_unspecified": "0",
            "vulnerable_participants": "7",
            "languages": ["darija", "amazigh"],
        },
    )
    activity = EngagementActivity.objects.get(title="Consultation publique AMO TADAMON à Oujda")
    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:activity_detail", args=[activity.pk])
    assert activity.created_by == leila
    assert activity.participants_total == 55
    assert activity.languages == ["darija", "amazigh"]
    row = activity.history.get(history_type="+")
    assert (row.history_user, row.history_change_reason) == (leila, "Création : activité de mobilisation")
    page = client.get(response["Location"]).content.decode()
    assert 'id="participants-total">55<' in page
    assert "Darija, Amazighe" in page
    assert "Création : activité de mobilisation" in page


def test_a_form_error_lands_on_its_field_in_french(client, leila):
    client.force_login(leila)
    response = client.post(
        reverse("stakeholders:activity_create"),
        {
            "type": "workshop",
            "title": "Atelier",
            "start_date": "2024-05-14",
            "end_date": "2024-05-10",
            "organiser": organisation().pk,
            "participants_women": "1",
            "participants_men": "1",
            "participants_unspecified": "0",
            "vulnerable_participants": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end_date"] == ["La date de fin ne peut pas précéder la date de début."]


def test_every_form_field_has_a_label(client, registry, leila):
    client.force_login(leila)
    pages = [_get(client, f"{kind}_create") for kind in KINDS]
    pages.append(_get(client, "activity_detail", registry["activity"].pk))
    for response in pages:
        page = response.content.decode()
        ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', page)
        assert ids, response.request["PATH_INFO"]
        for field_id in ids:
            assert f'for="{field_id}"' in page, (response.request["PATH_INFO"], field_id)


# --- the influence–interest map --------------------------------------------------------------------------


def test_the_map_draws_one_link_per_active_stakeholder(client, leila):
    make_stakeholder("Ministère A", influence=5, interest=5)
    make_stakeholder("ONG B", influence=2, interest=5)
    make_stakeholder("ONG C", influence=2, interest=5)
    make_stakeholder("Média D", influence=1, interest=1)
    make_stakeholder("Ancien partenaire", influence=4, interest=2, is_active=False)
    client.force_login(leila)

    page = _get(client, "map").content.decode()

    svg = page[page.index("<svg") : page.index("</svg>")]
    active = Stakeholder.objects.filter(is_active=True)
    assert sorted(map(int, re.findall(r'data-stakeholder="(\d+)"', svg))) == sorted(active.values_list("pk", flat=True))
    assert "Ancien partenaire" not in svg
    assert 'data-count="2"' in svg
    for quadrant in ("Gérer étroitement", "Tenir satisfait", "Tenir informé", "Surveiller"):
        assert quadrant in svg
    assert "<title>Ministère A — influence : Très élevé, intérêt : Très élevé</title>" in svg
    assert "style=" not in svg
    table = page[page.index('id="map-table"') :]
    assert table.count("<tr>") == active.count() + 1


# --- exports ---------------------------------------------------------------------------------------------


def test_csv_export_has_a_bom_and_neutralises_a_formula(client, leila):
    make_stakeholder('=HYPERLINK("http://evil.example","clic")')
    client.force_login(leila)
    response = _get(client, "stakeholder_export", "csv")
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Nom,Type,Organisation")
    assert '"\'=HYPERLINK(""http://evil.example"",""clic"")"' in text
    assert '\n"=HYPERLINK' not in text


def test_an_export_follows_the_filters_of_the_screen(client, leila):
    make_action("Action en retard", due_in=-2)
    make_action("Action dans les temps", due_in=5)
    client.force_login(leila)
    text = b"".join(_get(client, "action_export", "csv", overdue="true").streaming_content).decode("utf-8-sig")
    assert "Action en retard" in text
    assert "Action dans les temps" not in text


def test_xlsx_export_is_a_spreadsheet(client, registry, leila):
    client.force_login(leila)
    response = _get(client, "campaign_export", "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.getvalue().startswith(b"PK")


# --- lists: same queries whatever the number of rows -----------------------------------------------------


def _rows(kind: str, start: int, count: int, leila) -> None:
    for n in range(start, start + count):
        if kind == "group":
            make_group(n)
        elif kind == "stakeholder":
            make_stakeholder(f"Partie {n}").groups.add(make_group(1000 + n))
        elif kind == "representative":
            verify(make_representative(f"Représentant {n}"), by=leila, expires_in=n)
        elif kind == "activity":
            make_activity(f"Activité {n}")
        elif kind == "campaign":
            make_campaign(f"Campagne {n}", lines=[("Ligne", "100", "50")])
        elif kind == "action":
            make_action(f"Action {n}", due_in=n - 15, programme=programme(), source_activity=make_activity())
        elif kind == "risk":
            make_risk(200 + n)


def _list_queries(client, kind: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = _get(client, f"{kind}_list", per_page=50)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("kind", KINDS)
def test_a_list_page_issues_the_same_queries_for_10_or_30_rows(client, leila, kind):
    _rows(kind, 0, 10, leila)
    client.force_login(leila)
    ten = _list_queries(client, kind)
    _rows(kind, 10, 20, leila)
    thirty = _list_queries(client, kind)
    assert ten == thirty


# --- activities and minutes ------------------------------------------------------------------------------


def test_the_activity_page_shows_what_the_evidence_needs(client, registry, leila):
    activity = registry["activity"]
    registry["concern"].follow_up_action = registry["action"]
    registry["concern"].save()
    client.force_login(leila)
    page = _get(client, "activity_detail", activity.pk).content.decode()
    assert "13/02/2023" in page
    assert "Hôtel La Tour Hassan, Rabat" in page
    assert escape(organisation().name) in page
    assert "Tayssir" in page
    assert escape(organisation("menps").name) in page
    assert 'id="participants-total">21<' in page
    assert "Darija, Français" in page
    assert "Retards de paiement" in page
    assert reverse("stakeholders:action_detail", args=[registry["action"].pk]) in page
    assert "feuille.pdf" in page


def test_validated_minutes_offer_a_correction_and_no_edit_form(client, leila):
    activity = make_activity()
    minutes = services.minutes_write(activity=activity, actor=leila, text="Texte validé.")
    client.force_login(leila)
    draft_page = _get(client, "activity_detail", activity.pk).content.decode()
    assert 'id="minutes-form"' in draft_page
    assert 'id="minutes-validate"' in draft_page
    assert 'id="minutes-correction"' not in draft_page

    response = client.post(reverse("stakeholders:minutes_validate", args=[minutes.pk]), {"confirm": "yes"}, follow=True)

    page = response.content.decode()
    assert "Compte rendu validé (version 1)." in page
    assert 'id="minutes-form"' not in page
    assert 'id="minutes-validate"' not in page
    assert 'id="minutes-correction"' in page
    assert 'id="minutes-attachment-form"' not in page


def test_a_post_editing_validated_minutes_is_refused_with_the_services_message(client, leila):
    activity = make_activity()
    minutes = services.minutes_write(activity=activity, actor=leila, text="Texte validé.")
    services.minutes_validate(minutes=minutes, actor=leila, confirmed=True)
    client.force_login(leila)

    response = client.post(reverse("stakeholders:minutes_write", args=[activity.pk]), {"text": "Réécriture"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Le compte rendu est validé et ne peut plus être modifié" in page
    assert 'name="text"' not in page
    assert reverse("stakeholders:minutes_correct", args=[minutes.pk]) in page
    minutes.refresh_from_db()
    assert minutes.text == "Texte validé."
    assert Minutes.objects.filter(activity=activity).count() == 1


def test_a_correction_through_the_screen_lists_both_versions(client, leila):
    activity = make_activity()
    v1 = services.minutes_write(activity=activity, actor=leila, text="Première version.")
    services.minutes_validate(minutes=v1, actor=leila, confirmed=True)
    client.force_login(leila)

    response = client.post(
        reverse("stakeholders:minutes_correct", args=[v1.pk]),
        {"text": "Version corrigée.", "correction_reason": "Chiffres de participation"},
        follow=True,
    )

    page = response.content.decode()
    assert re.findall(r'data-version="(\d+)" data-status="(\w+)"', page) == [("2", "draft"), ("1", "validated")]
    assert f"Validée par {leila.get_full_name()}" in page
    assert "Première version." in page
    assert "Chiffres de participation" in page


def test_a_minutes_attachment_is_downloaded_as_a_sandboxed_attachment(client, registry, leila):
    client.force_login(leila)
    response = _get(client, "minutes_attachment_download", registry["attachment"].pk)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == PDF


def test_a_concern_is_added_from_the_activity_page(client, leila):
    activity = make_activity()
    client.force_login(leila)
    response = client.post(
        reverse("stakeholders:concern_add", args=[activity.pk]),
        {"theme": "Langue", "description": "Les SMS sont en français seulement", "answer": "Ajout de l'arabe"},
    )
    assert response.status_code == 302
    concern = activity.concerns.get()
    assert concern.history.get().history_user == leila
    empty = client.post(reverse("stakeholders:concern_add", args=[activity.pk]), {"theme": "", "description": ""})
    assert set(empty.context["form"].errors) == {"theme", "description"}


# --- alerts, corrective actions, campaigns, risks, mandates ----------------------------------------------


def test_the_home_page_highlights_overdue_actions_and_mandates_to_reverify(client, leila):
    make_action("Publier les listes de bénéficiaires", due_in=-4)
    make_action("Action à venir", due_in=4)
    make_representative("Jamais vérifiée")
    client.force_login(leila)
    page = _get(client, "home").content.decode()
    overdue = page[page.index('id="overdue-actions"') :]
    overdue = overdue[: overdue.index("</section>")]
    assert 'class="alert alert-danger"' in page
    assert "Publier les listes de bénéficiaires" in overdue
    assert "Action à venir" not in overdue
    assert "Jamais vérifiée" in page
    assert "Jamais vérifié" in page


def test_overdue_actions_are_highlighted_in_their_list(client, leila):
    late = make_action("Action en retard", due_in=-2)
    client.force_login(leila)
    page = _get(client, "action_list").content.decode()
    row = page[page.rindex("<tr", 0, page.index("Action en retard")) : page.index("Action en retard")]
    assert re.search(r'class="table-danger[ "]', row)
    assert "En retard" in page
    detail = _get(client, "action_detail", late.pk).content.decode()
    assert 'id="action-overdue"' in detail


def test_corrective_action_steps_are_buttons_that_follow_the_state(client, leila):
    action = make_action()
    client.force_login(leila)
    steps = lambda: re.findall(r'data-step="(\w+)"', _get(client, "action_detail", action.pk).content.decode())  # noqa: E731
    assert steps() == ["start", "complete", "cancel"]
    client.post(reverse("stakeholders:action_step", args=[action.pk, "start"]))
    assert steps() == ["complete", "cancel"]
    refused = client.post(reverse("stakeholders:action_step", args=[action.pk, "cancel"]), {"reason": ""})
    assert "reason" in refused.context["form"].errors
    client.post(
        reverse("stakeholders:action_step", args=[action.pk, "complete"]), {"completed_on": today().isoformat()}
    )
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.DONE
    assert steps() == []
    client.post(reverse("stakeholders:progress_note_add", args=[action.pk]), {"text": "Terminé", "percent_done": 100})
    assert "Terminé" in _get(client, "action_detail", action.pk).content.decode()


def test_the_campaign_page_shows_its_budget_with_totals_and_execution_rate(client, leila):
    campaign = make_campaign(lines=[("Spot radio", "843830", "400000"), ("SMS", "100000", "71915")])
    client.force_login(leila)
    page = _get(client, "campaign_detail", campaign.pk).content.decode()
    assert 'id="planned-total">943\xa0830,00<' in page
    assert 'id="actual-total">471\xa0915,00<' in page
    assert 'id="execution-rate">50,0\xa0%<' in page
    assert "843\xa0830,00" in page
    assert "Arabe, Amazighe" in page
    assert escape(organisation("cdg-cnra").name) in page


def test_a_risk_changes_status_from_its_page_with_a_note(client, leila):
    risk = make_risk()
    client.force_login(leila)
    assert re.findall(r'data-step="(\w+)"', _get(client, "risk_detail", risk.pk).content.decode()) == [
        "mark_mitigated",
        "close",
    ]
    without_note = client.post(reverse("stakeholders:risk_status", args=[risk.pk]), {"step": "close"})
    assert without_note.status_code == 200
    client.post(reverse("stakeholders:risk_status", args=[risk.pk]), {"step": "close", "status_note": "Clos au S2"})
    risk.refresh_from_db()
    assert risk.status == Risk.Status.CLOSED
    page = _get(client, "risk_detail", risk.pk).content.decode()
    assert "Risque : Clos au S2" in page


def test_the_mandates_page_lists_those_to_reverify_with_the_reason(client, leila):
    group = make_group()
    due = make_representative("Mandat expirant", group=group)
    verify(due, by=leila, expires_in=12)
    fine = make_representative("Mandat valide", group=group)
    verify(fine, by=leila, expires_in=300)
    client.force_login(leila)
    page = _get(client, "mandates_due", per_page=100).content.decode()
    assert "Mandat expirant" in page
    assert f"Expire le {(today() + timedelta(days=12)):%d/%m/%Y}" in page
    assert "Mandat valide" not in page
    detail = _get(client, "representative_detail", due.pk).content.decode()
    assert "Document de mandat" in detail
    assert leila.get_full_name() in detail


def test_a_mandate_verification_is_recorded_from_the_representatives_page(client, leila):
    representative = make_representative()
    client.force_login(leila)
    response = client.post(
        reverse("stakeholders:mandate_verify", args=[representative.pk]),
        {"method": "interview", "verified_on": today().isoformat(), "outcome": "inconclusive"},
    )
    assert response.status_code == 302
    assert representative.verifications.get().verified_by == leila
    future = client.post(
        reverse("stakeholders:mandate_verify", args=[representative.pk]),
        {"method": "interview", "verified_on": (today() + timedelta(days=3)).isoformat(), "outcome": "confirmed"},
    )
    assert "verified_on" in future.context["form"].errors


# --- languages and layout --------------------------------------------------------------------------------


def test_registry_pages_turn_right_to_left_in_arabic(client, registry, leila):
    client.force_login(leila)
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    for response in (_get(client, "map"), _get(client, "activity_detail", registry["activity"].pk)):
        content = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="ar" dir="rtl">' in content


def test_registry_pages_have_no_inline_script_nor_style_attribute(client, registry, leila):
    client.force_login(leila)
    pages = [_get(client, "home"), _get(client, "map")]
    pages += [_get(client, f"{kind}_detail", registry[kind].pk) for kind in KINDS]
    for response in pages:
        content = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", content)
        assert " style=" not in content


def test_the_disclosed_pmpp_versions_are_listed_read_and_exported(client, leila, omar):
    from stakeholders.models import DisclosedDocument

    document = DisclosedDocument.objects.get(published_on="2020-11-06")
    client.force_login(omar)
    listing = client.get(reverse("stakeholders:document_list")).content.decode()
    assert escape(document.title) in listing
    assert client.get(reverse("stakeholders:document_detail", args=[document.pk])).status_code == 200
    assert client.get(reverse("stakeholders:document_create")).status_code == 403
    export = b"".join(client.get(reverse("stakeholders:document_export", args=["csv"])).streaming_content)
    assert export.startswith(b"\xef\xbb\xbf")
    client.force_login(leila)
    assert client.get(reverse("stakeholders:document_create")).status_code == 200


def test_the_focal_points_dashboard_highlights_overdue_corrective_actions(client, leila, omar):
    from pmpp.models import Organisation

    action = CorrectiveAction(
        title="Publier la FAQ des paiements",
        source=CorrectiveAction.Source.GRIEVANCES,
        owner_organisation=Organisation.objects.get(code="cdg-cnra"),
        due_on=timezone_today() - timedelta(days=3),
    )
    action.save()
    client.force_login(leila)
    page = client.get(reverse("home")).content.decode()
    assert "Actions correctives en retard : <strong>1</strong>" in page
    client.force_login(omar)
    assert 'id="registry-alerts"' not in client.get(reverse("home")).content.decode()


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()
