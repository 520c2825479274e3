"""Answer templates (issue 18, item 2): placeholders, validation, scope, history, permissions,
and which templates a grievance is offered."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from answers.models import AnswerTemplate
from answers.placeholders import placeholder_values, render_text
from answers.selectors import answer_templates_for_grievance
from answers.services import answer_template_set_active, answer_template_update
from pmpp.models import ComplaintCategory, Programme
from tests.answers.conftest import make_template

# --- placeholders ------------------------------------------------------------------------------------


def test_placeholders_are_filled_from_the_grievance_in_each_language(walk, leila):
    g = walk.committed()
    commitment = g.commitments.get()
    template = make_template(
        leila,
        text_fr="Dossier {reference} ({programme}) reçu le {date_reception}, échéance {date_echeance}, "
        "engagement {date_engagement}, suivi {code_suivi}.",
        text_ar="ملف {reference} ({programme})، {date_engagement}.",
    )
    fr = render_text(template.text_fr, values=placeholder_values(g, language="fr"), language="fr")
    ar = render_text(template.text_ar, values=placeholder_values(g, language="ar"), language="ar")
    received = g.received_at.astimezone().strftime("%d/%m/%Y")
    assert fr.text == (
        f"Dossier {g.reference} (Tayssir) reçu le {received}, échéance {g.due_on:%d/%m/%Y}, "
        f"engagement {commitment.promised_on:%d/%m/%Y}, suivi {g.tracking_code}."
    )
    assert ar.text == f"ملف {g.reference} (تيسير)، {commitment.promised_on:%d/%m/%Y}."
    assert fr.missing == ar.missing == ()


def test_a_value_the_grievance_lacks_is_marked_for_the_agent_to_complete(walk):
    g = walk.analysed()  # no commitment yet
    rendered = render_text("Le {date_engagement}.", values=placeholder_values(g, language="fr"), language="fr")
    assert rendered.text == "Le [à compléter : date_engagement]."
    assert rendered.missing == ("date_engagement",)


def test_nothing_but_known_placeholders_is_interpreted(walk):
    g = walk.analysed()
    values = placeholder_values(g, language="fr")
    text = "{{ grievance.complainant_cnie }} {% debug %} %(reference)s {reference.__class__}"
    assert render_text(text, values=values, language="fr").text == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Échéance le {date_echance}.", "Variable inconnue : {date_echance}"),
        ("Montant : {montant} DH.", "Variable inconnue : {montant}"),
        ("Référence {reference.__class__}.", "Variable inconnue : {reference.__class__}"),
        ("Dossier {reference", "Accolade isolée"),
        ("{{ grievance.complainant_cnie }}", "Variable inconnue"),
    ],
)
def test_an_unknown_or_broken_placeholder_is_refused_on_save_with_a_clear_message(leila, text, message):
    with pytest.raises(ValidationError) as error:
        make_template(leila, text_ar=text)
    assert message in " ".join(error.value.message_dict["text_ar"])
    assert not AnswerTemplate.objects.exists()


def test_both_texts_and_a_name_are_required(leila):
    with pytest.raises(ValidationError) as error:
        make_template(leila, name="", text_fr="")
    assert {"name", "text_fr"} <= set(error.value.message_dict)


def test_a_category_must_belong_to_the_template_programme(leila, tayssir):
    other = ComplaintCategory.objects.exclude(programme=tayssir).first()
    with pytest.raises(ValidationError) as error:
        make_template(leila, programme=tayssir, category=other)
    assert "n'appartient pas au programme" in " ".join(error.value.message_dict["category"])


def test_two_templates_of_one_programme_cannot_share_a_name(leila, tayssir):
    make_template(leila, programme=tayssir)
    with pytest.raises(ValidationError) as error:
        make_template(leila, programme=tayssir)
    assert "existe déjà" in str(error.value)
    make_template(leila, programme=Programme.objects.get(code="daam"))  # another programme: fine


# --- scope and permissions ------------------------------------------------------------------------------


def test_a_head_of_cnra_manages_templates_of_cnra_programmes_only(nadia, tayssir):
    mine = make_template(nadia, programme=tayssir)
    assert mine.programme == tayssir
    with pytest.raises(PermissionDenied):
        make_template(nadia, name="AMO", programme=Programme.objects.get(code="amo-tadamon"))
    with pytest.raises(PermissionDenied):
        make_template(nadia, name="Commun", programme=None)


def test_a_head_cannot_move_a_template_out_of_their_programmes(nadia, tayssir):
    template = make_template(nadia, programme=tayssir)
    with pytest.raises(PermissionDenied):
        answer_template_update(template=template, actor=nadia, programme=Programme.objects.get(code="amo-tadamon"))
    template.refresh_from_db()
    assert template.programme == tayssir


def test_another_organisation_head_cannot_change_or_open_the_template(nadia, hassan, tayssir, client):
    template = make_template(nadia, programme=tayssir)
    with pytest.raises(PermissionDenied):
        answer_template_update(template=template, actor=hassan, text_fr="Autre {reference}")
    client.force_login(hassan)
    assert client.get(reverse("answers:detail", args=[template.pk])).status_code == 404
    assert client.get(reverse("answers:edit", args=[template.pk])).status_code == 404
    assert template.name not in client.get(reverse("answers:list")).content.decode()


def test_a_common_template_is_read_only_for_a_head_and_managed_by_the_focal_point(leila, nadia, client):
    common = make_template(leila)
    client.force_login(nadia)
    page = client.get(reverse("answers:detail", args=[common.pk]))
    assert page.status_code == 200
    assert reverse("answers:edit", args=[common.pk]) not in page.content.decode()
    assert client.get(reverse("answers:edit", args=[common.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        answer_template_set_active(template=common, actor=nadia, active=False, reason="Obsolète")


@pytest.mark.parametrize("persona", ["salma", "karim", "omar", "meryem"])
def test_other_roles_do_not_manage_templates(persona, request, client, leila):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        make_template(user)
    client.force_login(user)
    assert client.get(reverse("answers:list")).status_code == 403
    assert client.get(reverse("answers:create")).status_code == 403


def test_the_focal_point_creates_a_template_from_the_screen(leila, client, tayssir):
    client.force_login(leila)
    response = client.post(
        reverse("answers:create"),
        {
            "name": "Relance",
            "programme": tayssir.pk,
            "category": "",
            "outcome": "founded",
            "text_fr": "Votre dossier {reference}.",
            "text_ar": "ملفكم رقم {reference}.",
        },
    )
    template = AnswerTemplate.objects.get()
    assert response.status_code == 302
    assert (template.name, template.programme, template.outcome, template.is_active) == (
        "Relance",
        tayssir,
        "founded",
        True,
    )


def test_the_editor_s_categories_follow_the_chosen_programme(leila, client, tayssir, payment_category):
    client.force_login(leila)
    page = client.get(reverse("answers:create")).content.decode()
    form = page[page.index('name="category"') - 200 :]
    form = form[: form.index("</select>")]
    # Grouped by programme (without JavaScript) and tagged for the script that keeps one programme's.
    assert 'data-follows-programme="programme"' in form
    assert f'<optgroup label="{payment_category.programme.label}">' in form
    assert f'value="{payment_category.pk}" data-programme="{payment_category.programme_id}"' in form
    assert "category-follows-programme.js" in page


def test_the_screen_shows_the_placeholder_error_in_french(leila, client):
    client.force_login(leila)
    response = client.post(
        reverse("answers:create"),
        {"name": "X", "programme": "", "outcome": "", "text_fr": "Le {date}", "text_ar": "ملف"},
    )
    assert response.status_code == 200
    assert "Variable inconnue : {date}" in response.content.decode()
    assert not AnswerTemplate.objects.exists()


# --- deactivation and history ------------------------------------------------------------------------


def test_deactivation_asks_for_confirmation_and_a_reason(nadia, tayssir, client):
    template = make_template(nadia, programme=tayssir)
    client.force_login(nadia)
    url = reverse("answers:deactivate", args=[template.pk])
    assert "Je confirme" in client.get(url).content.decode()
    refused = client.post(url, {"reason": "Texte obsolète"})
    assert "Cochez la case pour confirmer" in refused.content.decode()
    template.refresh_from_db()
    assert template.is_active
    assert client.post(url, {"reason": "Texte obsolète", "confirm": "on"}).status_code == 302
    template.refresh_from_db()
    assert not template.is_active


def test_every_change_is_in_history_with_its_author_and_reason(nadia, tayssir, client):
    template = make_template(nadia, programme=tayssir)
    answer_template_update(template=template, actor=nadia, reason="Date ajoutée", text_fr="Le {date_echeance}.")
    answer_template_set_active(template=template, actor=nadia, active=False, reason="Remplacé")
    rows = list(template.history.order_by("history_id"))
    assert [r.history_change_reason for r in rows] == [
        "Création du modèle",
        "Date ajoutée",
        "Désactivation du modèle : Remplacé",
    ]
    assert {r.history_user for r in rows} == {nadia}
    client.force_login(nadia)
    page = client.get(reverse("answers:detail", args=[template.pk])).content.decode()
    assert "Date ajoutée" in page
    assert "Désactivation du modèle : Remplacé" in page


# --- which templates a grievance is offered ---------------------------------------------------------


def test_a_grievance_is_offered_the_templates_of_its_programme_category_and_outcome(
    walk, leila, tayssir, payment_category, massar_category
):
    g = walk.analysed(outcome="founded")  # Tayssir, « paiement non reçu », founded
    common = make_template(leila, name="Commun")
    programme = make_template(leila, name="Tayssir", programme=tayssir)
    exact = make_template(leila, name="Exact", programme=tayssir, category=payment_category, outcome="founded")
    make_template(leila, name="Autre catégorie", programme=tayssir, category=massar_category)
    make_template(leila, name="Non fondée", outcome="unfounded")
    make_template(leila, name="Autre programme", programme=Programme.objects.get(code="daam"))
    inactive = make_template(leila, name="Inactif", programme=tayssir)
    answer_template_set_active(template=inactive, actor=leila, active=False, reason="Obsolète")

    offered = list(answer_templates_for_grievance(grievance=g))

    assert offered == [exact, programme, common]  # the most specific first
