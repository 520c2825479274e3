"""The empty choice of a model field's <select> reads in the page's language (issue 20)."""

from django.db.models.utils import get_blank_choice_label
from django.utils import translation
from django.utils.translation import gettext

from grievances.models import Grievance


def test_the_empty_choice_is_arabic_on_arabic_pages_not_the_french_fallback():
    with translation.override("fr"):
        french = str(get_blank_choice_label())
    with translation.override("ar"):
        arabic = str(get_blank_choice_label())
        value, label = Grievance._meta.get_field("complainant_sex").get_choices()[0]
        first_choice = (value, str(label))
        expected = gettext("— Choisissez —")

    assert arabic != french
    assert arabic == expected
    assert first_choice == ("", expected)
