"""The public form sent twice records one complaint and shows its receipt again (issue 17, item 7).

A complainant who gets no answer — a double click, a connection lost on the way back, the
database gone between the commit and the receipt — sends the form again. Each form shown
carries a one-time token: the same form sent again shows the first receipt, PIN included.
"""

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.db import OperationalError, connection
from django.test import Client
from django.utils.html import escape

from grievances.models import Grievance
from notifications.models import OutboxMessage
from tests.portal.test_filing import FILE_URL, form_data

pytestmark = pytest.mark.django_db

RECEIPT_URL = "/deposer-une-reclamation/recu/"
_TOKEN = re.compile(r'name="submission" value="([^"]*)"')


def _form_token(response) -> str:
    """The one-time token of the form on that page ("" on a page without one)."""
    match = _TOKEN.search(response.content.decode())
    return match.group(1) if match else ""


def _the_form(visitor, programme, category, **overrides) -> dict:
    """What the browser sends: the fields typed, and the token of the form it was shown."""
    return form_data(programme, category, **overrides) | {"submission": _form_token(visitor.get(FILE_URL))}


def test_the_form_carries_a_new_token_each_time_it_is_shown(visitor):
    first, second = _form_token(visitor.get(FILE_URL)), _form_token(visitor.get(FILE_URL))

    assert len(first) == len(second) == 43
    assert first != second


def test_the_same_form_sent_twice_records_one_complaint_and_shows_its_receipt_again(visitor, tayssir, payment_category):
    data = _the_form(visitor, tayssir, payment_category)

    first = visitor.post(FILE_URL, data, follow=True)
    again = visitor.post(FILE_URL, data, follow=True)

    grievance = Grievance.objects.get()
    for response in (first, again):
        assert response.redirect_chain == [(RECEIPT_URL, 302)]
        assert grievance.reference in response.text
        assert grievance.tracking_code in response.text
    assert 'id="receipt-replayed"' not in first.text
    assert 'id="receipt-replayed"' in again.text
    assert escape("votre réclamation a été enregistrée une seule fois") in again.text
    # One acknowledgement too: the repeat was rolled back whole.
    assert OutboxMessage.objects.filter(grievance=grievance).count() == 1


def test_an_anonymous_complaint_sent_again_shows_the_same_pin(visitor, tayssir, payment_category):
    data = _the_form(visitor, tayssir, payment_category, is_anonymous="on")

    first = visitor.post(FILE_URL, data, follow=True)
    again = visitor.post(FILE_URL, data, follow=True)

    grievance = Grievance.objects.get()
    pin = first.context["receipt"]["pin"]
    assert again.context["receipt"]["pin"] == pin
    assert check_password(pin, grievance.pin_hash)
    # Only a hash of the form's content under its token is kept, and the PIN sealed under it.
    receipt = grievance.portal_receipt
    assert data["submission"] not in receipt.key
    assert pin not in receipt.sealed_pin


def test_a_complaint_whose_receipt_was_lost_after_the_commit_is_not_recorded_twice(tayssir, payment_category):
    visitor = Client(raise_request_exception=False)
    data = _the_form(visitor, tayssir, payment_category)

    def database_gone_when_the_session_is_written(execute, sql, params, many, context):
        # The grievance is committed; the receipt goes into a new session, written after the view.
        if sql.startswith('INSERT INTO "django_session"'):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(database_gone_when_the_session_is_written):
        lost = visitor.post(FILE_URL, data)

    assert lost.status_code == 503
    assert lost["Retry-After"] == "30"
    page = lost.content.decode()
    assert escape("n'a pas pu confirmer l'envoi : il a peut-être été enregistré") in page
    assert escape("Rien n'a été enregistré") not in page
    assert Grievance.objects.count() == 1

    # The complainant reloads the page and confirms: the same form is sent again.
    retry = visitor.post(FILE_URL, data, follow=True)

    grievance = Grievance.objects.get()
    assert grievance.reference in retry.text
    assert grievance.tracking_code in retry.text


def test_the_same_form_sent_with_other_content_is_another_complaint(visitor, tayssir, payment_category):
    # After the browser's « back », the complainant changes the text and sends a new complaint.
    data = _the_form(visitor, tayssir, payment_category)
    visitor.post(FILE_URL, data)
    visitor.post(FILE_URL, data | {"description": "Et la bourse du troisième trimestre non plus."})

    assert Grievance.objects.count() == 2


def test_a_form_with_errors_keeps_its_token_so_the_corrected_form_is_the_same_submission(
    visitor, tayssir, payment_category
):
    data = _the_form(visitor, tayssir, payment_category)

    refused = visitor.post(FILE_URL, data | {"description": ""})

    assert Grievance.objects.count() == 0
    assert len(data["submission"]) == 43
    assert _form_token(refused) == data["submission"]


def test_a_form_shown_before_tokens_existed_is_still_recorded(visitor, tayssir, payment_category):
    response = visitor.post(FILE_URL, form_data(tayssir, payment_category))

    assert response.status_code == 302
    assert Grievance.objects.count() == 1
