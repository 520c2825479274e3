"""Date fields show and read dd/mm/yyyy (dd/mm/yyyy hh:mm) in French and in Arabic, in any digits."""

import re
from datetime import date, datetime

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from pmpp.dates import parse_date, parse_datetime
from pmpp.form_rendering import BootstrapMixin, DateInput, DateTimeInput


class Sample(BootstrapMixin, forms.Form):
    on = forms.DateField(required=False)
    at = forms.DateTimeField(required=False)
    # Declared with the widgets the site's forms use.
    promised_on = forms.DateField(required=False, widget=DateInput())
    sent_at = forms.DateTimeField(required=False, widget=DateTimeInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


LANGUAGES = ["fr", "ar"]


@pytest.mark.parametrize(
    "text",
    ["05/03/2026", "5/3/2026", "٠٥/٠٣/٢٠٢٦", "۰۵/۰۳/۲۰۲۶", "2026-03-05", " 05/03/2026 ", "05\u200f/03\u200f/2026"],
    ids=["latin", "short", "arabic-indic", "eastern-arabic-indic", "iso", "spaces", "rlm-marks"],
)
def test_a_date_is_read_day_first_in_every_digit_set(text):
    assert parse_date(text) == date(2026, 3, 5)


@pytest.mark.parametrize(
    "text", ["03/25/2026", "31/02/2026", "2026/03/05", "05-03-2026", "05/03/26", "demain", "", "05/03/2026 10:00"]
)
def test_anything_else_is_no_date(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    "text",
    ["05/03/2026 14:30", "٠٥/٠٣/٢٠٢٦ ١٤:٣٠", "۰۵/۰۳/۲۰۲۶ ۱۴:۳۰", "2026-03-05T14:30", "2026-03-05 14:30:00"],
    ids=["latin", "arabic-indic", "eastern-arabic-indic", "iso-t", "iso-space"],
)
def test_a_date_and_time_is_read_day_first_in_every_digit_set(text):
    assert parse_datetime(text) == datetime(2026, 3, 5, 14, 30)


@pytest.mark.parametrize("text", ["05/03/2026", "03/25/2026 14:30", "05/03/2026 25:00", "14:30"])
def test_a_date_and_time_needs_both(text):
    assert parse_datetime(text) is None


def test_dates_are_written_day_first_in_latin_or_arabic_indic_digits():
    # The server writes Latin digits; date-field.js shows Arabic-Indic ones to who chose them
    # (tests/browser/test_local_dates.py[ar-arabic-digits]), which the server reads back.
    assert DateInput().format_value(date(2026, 3, 5)) == "05/03/2026"
    assert parse_date("٠٥/٠٣/٢٠٢٦") == date(2026, 3, 5)
    assert DateTimeInput().format_value(datetime(2026, 3, 5, 9, 7)) == "05/03/2026 09:07"
    assert parse_datetime("٠٥/٠٣/٢٠٢٦ ٠٩:٠٧") == datetime(2026, 3, 5, 9, 7)


# --- in a form, in both languages ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", ["05/03/2026", "٠٥/٠٣/٢٠٢٦", "۰۵/۰۳/۲۰۲۶", "2026-03-05"])
def test_a_form_reads_the_date_as_shown_on_french_and_arabic_pages(language, typed):
    with translation.override(language):
        form = Sample({"on": typed, "promised_on": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["on"] == form.cleaned_data["promised_on"] == date(2026, 3, 5)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", ["05/03/2026 14:30", "٠٥/٠٣/٢٠٢٦ ١٤:٣٠", "2026-03-05T14:30"])
def test_a_form_reads_the_date_and_time_as_shown(language, typed):
    with translation.override(language):
        form = Sample({"at": typed, "sent_at": typed})
        assert form.is_valid(), form.errors
    expected = timezone.make_aware(datetime(2026, 3, 5, 14, 30))
    assert form.cleaned_data["at"] == form.cleaned_data["sent_at"] == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_month_first_date_is_refused_with_a_french_message_saying_the_format(language):
    with translation.override(language):
        form = Sample({"on": "03/25/2026", "at": "05/03/2026"})
        assert not form.is_valid()
    with translation.override("fr"):
        assert form.errors["on"] == ["Saisissez la date au format jj/mm/aaaa, par exemple 05/03/2026."]
        assert form.errors["at"] == [
            "Saisissez la date et l'heure au format jj/mm/aaaa hh:mm, par exemple 05/03/2026 14:30."
        ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_fields_are_text_inputs_showing_day_first(language):
    initial = {"on": date(2026, 3, 5), "at": timezone.make_aware(datetime(2026, 3, 5, 14, 30))}
    with translation.override(language):
        form = Sample(initial=initial)
        on, at = str(form["on"]), str(form["at"])
    assert 'type="text"' in on
    assert 'value="05/03/2026"' in on
    assert 'data-date-field="date"' in on
    assert 'value="05/03/2026 14:30"' in at
    assert 'data-date-field="datetime"' in at
    assert 'type="date"' not in str(form)
    assert "datetime-local" not in str(form)


def test_a_submitted_date_comes_back_day_first_and_a_wrong_one_as_typed():
    """An ISO date from a link, or Arabic-Indic digits, are shown as the field shows dates;
    what is no date stays as typed, to be corrected."""
    form = Sample({"on": "2026-03-05", "promised_on": "٠٥/٠٣/٢٠٢٦", "at": "le 5 mars"})
    assert 'value="05/03/2026"' in str(form["on"])
    assert 'value="05/03/2026"' in str(form["promised_on"])
    assert 'value="le 5 mars"' in str(form["at"])


def test_the_admin_reads_day_first_in_arabic_too():
    """The site's input formats (FORMAT_MODULE_PATH), which the admin's widgets use."""
    with translation.override("ar"):
        field = forms.DateField()
        assert field.clean("05/03/2026") == date(2026, 3, 5)
        assert forms.DateInput().format_value(date(2026, 3, 5)) == "05/03/2026"


# --- the reader's digits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", ["arab", "latn"])
def test_the_reader_chooses_the_digits_of_date_fields(client, digits):
    response = client.post(reverse("set_digits"), {"digits": digits, "next": "/suivi/"})
    assert response.status_code == 302
    assert response["Location"] == "/suivi/"
    cookie = response.cookies["pmpp_digits"]
    assert cookie.value == digits
    assert not cookie["httponly"]  # read by date-field.js


def test_the_digits_preference_ignores_other_values_and_foreign_addresses(client):
    response = client.post(reverse("set_digits"), {"digits": "roman", "next": "https://example.com/"})
    assert response["Location"] == "/"
    assert "pmpp_digits" not in response.cookies


def _digits_buttons(page: str) -> dict[str, str]:
    """The digits switch's buttons, by value: their opening tags (empty when there is no switch)."""
    start = page.find('id="digits-switch"')
    if start < 0:
        return {}
    form = page[start : page.find("</form>", start)]
    return {m.group(1): m.group(0) for m in re.finditer(r'<button[^>]*value="(\w+)"[^>]*>', form)}


def test_arabic_pages_offer_the_digits_choice_in_the_user_menu_and_show_the_current_one(client, salma):
    client.force_login(salma)
    client.cookies["django_language"] = "fr"
    assert _digits_buttons(client.get("/").content.decode()) == {}  # French pages: Latin digits only

    client.cookies["django_language"] = "ar"
    buttons = _digits_buttons(client.get("/").content.decode())
    assert set(buttons) == {"latn", "arab"}
    assert 'aria-pressed="true"' in buttons["latn"]
    assert "dropdown-item active" in buttons["latn"]

    client.post(reverse("set_digits"), {"digits": "arab", "next": "/"})
    buttons = _digits_buttons(client.get("/").content.decode())
    assert 'aria-pressed="true"' in buttons["arab"]
    assert "dropdown-item active" in buttons["arab"]
    assert 'aria-pressed="false"' in buttons["latn"]


def test_the_public_pages_offer_the_digits_choice_in_arabic(client):
    client.cookies["django_language"] = "ar"
    buttons = _digits_buttons(client.get(reverse("portal:track")).content.decode())
    assert set(buttons) == {"latn", "arab"}
    assert "btn-sm" in buttons["arab"]
