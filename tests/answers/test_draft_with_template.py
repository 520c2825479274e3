"""« Rédiger la réponse » from a template: the page without JavaScript, and the preview endpoint."""

from django.urls import reverse

from tests.answers.conftest import make_template

ARABIC = "تمت معالجة شكايتكم رقم {reference}."


def _step_url(g):
    return reverse("grievances:step", args=[g.pk, "draft_answer"])


def test_without_javascript_use_fills_the_answer_and_shows_the_preview(walk, leila, salma, client):
    g = walk.analysed()
    template = make_template(leila, text_ar=ARABIC)
    client.force_login(salma)
    page = client.get(_step_url(g), {"modele": template.pk, "langue": "ar", "action": "utiliser"})
    html = page.content.decode()
    expected = f"تمت معالجة شكايتكم رقم {g.reference}."
    form = page.context["form"]
    assert form["answer_text"].value() == expected  # prefilled, still an editable textarea
    assert 'name="answer_text"' in html
    assert "data-answer-preview-text" in html
    assert html.count(expected) >= 2  # in the preview and in the box
    assert "data-sms-counter" in html


def test_preview_alone_leaves_the_answer_as_it_was(walk, leila, salma, client):
    g = walk.analysed()
    template = make_template(leila)
    client.force_login(salma)
    page = client.get(_step_url(g), {"modele": template.pk, "langue": "fr", "action": "apercu"})
    assert page.context["form"]["answer_text"].value() in ("", None)
    assert f"Votre réclamation {g.reference} est traitée." in page.content.decode()


def test_a_template_of_another_programme_is_not_offered_nor_rendered(walk, leila, salma, client):
    from pmpp.models import Programme

    g = walk.analysed()
    other = make_template(leila, name="DAAM", programme=Programme.objects.get(code="daam"))
    client.force_login(salma)
    page = client.get(_step_url(g), {"modele": other.pk, "langue": "fr", "action": "utiliser"})
    assert page.context["form"]["answer_text"].value() in ("", None)
    assert client.get(reverse("answers:preview", args=[g.pk, other.pk]), {"langue": "fr"}).status_code == 404


def test_the_preview_endpoint_returns_the_rendered_text_and_its_sms_count(walk, leila, salma, client):
    g = walk.analysed()
    template = make_template(leila, text_ar=ARABIC)
    client.force_login(salma)
    data = client.get(reverse("answers:preview", args=[g.pk, template.pk]), {"langue": "ar"}).json()
    assert data["text"] == f"تمت معالجة شكايتكم رقم {g.reference}."
    assert data["sms"]["encoding"] == "UCS-2"
    assert data["sms"]["segments"] == 1


def test_the_preview_endpoint_refuses_who_cannot_draft_or_cannot_see(walk, leila, rachid, karim, salma, client):
    g = walk.analysed()
    template = make_template(leila)
    url = reverse("answers:preview", args=[g.pk, template.pk])
    client.force_login(rachid)  # agent of CNSS: the Tayssir case is not his
    assert client.get(url, {"langue": "fr"}).status_code == 404
    client.force_login(karim)  # closing officer: sees it, drafts nothing
    assert client.get(url, {"langue": "fr"}).status_code == 403
    client.force_login(salma)
    assert client.get(url, {"langue": "xx"}).status_code == 400


def test_the_step_page_reads_a_bounded_number_of_queries(walk, leila, salma, client, django_assert_max_num_queries):
    g = walk.analysed()
    client.force_login(salma)
    template = make_template(leila)
    client.get(_step_url(g), {"modele": template.pk, "langue": "fr", "action": "utiliser"})  # warm the session
    with django_assert_max_num_queries(25) as few:
        client.get(_step_url(g), {"modele": template.pk, "langue": "fr", "action": "utiliser"})
    for i in range(30):
        make_template(leila, name=f"Modèle {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_step_url(g), {"modele": template.pk, "langue": "fr", "action": "utiliser"})
    with django_assert_max_num_queries(12):
        client.get(reverse("answers:preview", args=[g.pk, template.pk]), {"langue": "fr"})


def test_the_management_pages_read_a_bounded_number_of_queries(leila, client, django_assert_max_num_queries):
    template = make_template(leila)
    client.force_login(leila)
    for i in range(20):
        make_template(leila, name=f"Modèle {i}")
    with django_assert_max_num_queries(15):
        client.get(reverse("answers:list"))
    with django_assert_max_num_queries(15):
        client.get(reverse("answers:detail", args=[template.pk]))
