"""<select> written in Python gives the markup Django's template gives."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from pmpp.form_rendering import FormRenderer


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", "Alpha"), ("b", "Bêta & <gamma>")])
    grouped = forms.ChoiceField(
        choices=[("Tayssir", [("1", "Inscription « rejetée »"), ("2", 'Paiement "non reçu"')]), ("x", "Autre")],
        required=False,
    )
    several = forms.MultipleChoiceField(choices=[("r", "Rabat"), ("c", "Casablanca"), ("f", "Fès")])
    safe_label = forms.ChoiceField(choices=[("s", mark_safe("<b>déjà sûr</b>")), ("t", "l'« apostrophe »")])
    flagged = forms.ChoiceField(
        choices=[("1", "Un")],
        widget=forms.Select(attrs={"class": "form-select", "data-x": 'a"b', "disabled": True, "hidden": False}),
    )


def markup(html: str) -> str:
    # Browsers ignore the whitespace Django's templates put between tags.
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize(
    "data",
    [{}, {"plain": "b", "grouped": "2", "several": ["r", "f"], "safe_label": "t", "flagged": "1"}],
    ids=["unbound", "bound"],
)
@pytest.mark.parametrize("name", ["plain", "grouped", "several", "safe_label", "flagged"])
def test_a_select_written_in_python_is_the_markup_of_djangos_template(name, data):
    ours = Sample(data or None, renderer=FormRenderer())[name]
    django = Sample(data or None, renderer=DjangoTemplates())[name]
    assert markup(ours) == markup(django)
    assert "<option" in str(ours)


def test_the_site_renders_its_forms_with_it(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
    field = Sample()["plain"]
    assert markup(field) == markup(Sample(renderer=DjangoTemplates())["plain"])
    assert "Bêta &amp; &lt;gamma&gt;" in str(field)
