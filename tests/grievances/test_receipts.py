"""The intake's receipt shows the due date, and its slip can be printed from it, once (issue 18).

A walk-in, a caller or a letter gets an acknowledgement slip: reference, tracking code, the
PIN of an anonymous complaint, reception and due dates, how to track and how to appeal; A5 or
A4, French or Arabic. The PIN exists in clear only in the intake's session: the slip can be
printed from the receipt for a few minutes and never later.
"""

import io
import re
import unicodedata
from datetime import timedelta

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from grievances.models import Grievance
from grievances.receipts import SLIP_SESSION_KEY, SLIP_WINDOW
from tests.factories import intake_form_data

pytestmark = pytest.mark.django_db

A5 = (419.5, 595.3)  # points, ±1
A4 = (595.3, 841.9)


def _register(client, **overrides):
    response = client.post(reverse("grievances:intake"), intake_form_data(**overrides))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return client.get(response["Location"])


def _anonymous():
    return {"is_anonymous": "on", "cnie": "", "phone": "", "name": "", "identity_verified": ""}


def _slip(client, *, size="A5", language="fr"):
    return client.post(reverse("grievances:slip"), {"size": size, "language": language})


def _pdf(response) -> tuple[str, tuple[float, float]]:
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = unicodedata.normalize("NFKC", "\n".join(page.extract_text() or "" for page in reader.pages))
    box = reader.pages[0].mediabox
    return " ".join(text.split()), (float(box.width), float(box.height))


def _size_is(actual, expected) -> bool:
    return all(abs(a - e) < 1.5 for a, e in zip(actual, expected, strict=True))


def test_the_receipt_shows_the_due_date_and_the_legal_delay(client, salma):
    client.force_login(salma)
    page = _register(client).content.decode()
    grievance = Grievance.objects.get()
    assert re.search(r'id="receipt-due-on">' + grievance.due_on.strftime("%d/%m/%Y") + "<", page)
    assert "10 jours calendaires à compter de la réception" in page


def test_a_mail_complaint_received_earlier_is_due_from_its_reception_date(client, salma):
    from pmpp.models import Channel

    received = timezone.localtime() - timedelta(days=4)
    client.force_login(salma)
    page = _register(
        client, channel=Channel.objects.get(code="postal").pk, received_at=received.strftime("%Y-%m-%dT%H:%M")
    ).content.decode()
    due = Grievance.objects.get().due_on
    assert due == received.date() + timedelta(days=10)
    assert due.strftime("%d/%m/%Y") in page


@pytest.mark.parametrize(("size", "expected"), [("A5", A5), ("A4", A4)])
def test_the_slip_of_a_named_complaint_in_french(client, salma, size, expected):
    client.force_login(salma)
    page = _register(client).content.decode()
    assert 'id="slip-form"' in page
    grievance = Grievance.objects.get()

    response = _slip(client, size=size, language="fr")

    text, box = _pdf(response)
    assert _size_is(box, expected)
    assert grievance.reference in text
    assert grievance.tracking_code in text
    assert timezone.localtime(grievance.received_at).strftime("%d/%m/%Y") in text
    assert grievance.due_on.strftime("%d/%m/%Y") in text
    assert "10 jours calendaires" in text
    assert "/suivre-ma-reclamation/" in text  # how to track
    assert "recours" in text
    assert "Médiateur du Royaume" in text
    assert "Code PIN" not in text
    # No personal data in the PDF or its name: the reference only.
    for personal in ("AB123456", "0612345678", "Fatima"):
        assert personal not in text
        assert personal not in response["Content-Disposition"]
    assert grievance.reference in response["Content-Disposition"]


@pytest.mark.parametrize(("size", "expected"), [("A5", A5), ("A4", A4)])
def test_the_slip_of_an_anonymous_complaint_in_arabic_carries_its_pin(client, salma, size, expected):
    client.force_login(salma)
    page = _register(client, **_anonymous()).content.decode()
    pin = re.search(r'id="receipt-pin">(\d{6})<', page).group(1)
    grievance = Grievance.objects.get()

    text, box = _pdf(_slip(client, size=size, language="ar"))

    assert _size_is(box, expected)
    assert pin in text
    assert grievance.reference in text
    assert grievance.tracking_code in text
    assert grievance.due_on.strftime("%d/%m/%Y") in text
    # Written in Arabic: the labels already translated, and the programme's Arabic name.
    with override("ar"):
        for label in ("Référence", "Code de suivi", "Reçue le"):
            assert gettext(label) != label
            assert gettext(label) in text, label
    assert grievance.programme.name_ar
    assert grievance.programme.name_ar in text
    assert "Référence" not in text


def test_the_slip_cannot_be_printed_later_and_the_pin_is_gone(client, salma):
    client.force_login(salma)
    page = _register(client, **_anonymous()).content.decode()
    pin = re.search(r'id="receipt-pin">(\d{6})<', page).group(1)
    assert pin in _pdf(_slip(client))[0]

    # The window passes: no slip, no PIN, anywhere.
    session = client.session
    kept = session[SLIP_SESSION_KEY]
    kept["until"] = (timezone.now() - timedelta(seconds=1)).isoformat()
    session[SLIP_SESSION_KEY] = kept
    session.save()
    later = _slip(client)
    assert later.status_code == 302
    assert later["Content-Type"] != "application/pdf"
    assert SLIP_SESSION_KEY not in client.session
    assert pin not in str(dict(client.session))
    assert client.get(reverse("grievances:receipt")).status_code == 302  # the receipt was shown once
    assert timedelta(minutes=15) >= SLIP_WINDOW


def test_the_slip_is_not_reachable_by_get_nor_from_another_session(client, salma, nadia):
    client.force_login(salma)
    _register(client, **_anonymous())
    assert client.get(reverse("grievances:slip")).status_code == 405

    from django.test import Client

    other = Client()
    other.force_login(salma)
    response = _slip(other)
    assert response.status_code == 302
    assert response["Content-Type"] != "application/pdf"


def test_the_slip_url_carries_no_personal_data(client, salma):
    client.force_login(salma)
    page = _register(client).content.decode()
    action = re.search(r'<form method="post" action="([^"]+)"[^>]*id="slip-form"', page).group(1)
    assert action == reverse("grievances:slip")
    assert "?" not in action


def test_a_duplicate_linked_to_an_open_case_offers_no_slip(client, walk, salma):
    walk.register(cnie="AB123456")
    client.force_login(salma)
    response = client.post(reverse("grievances:intake"), intake_form_data(duplicate_action="link"))
    page = client.get(response["Location"]).content.decode()
    assert 'id="slip-form"' not in page
    assert _slip(client).status_code == 302


def test_the_receipt_page_reads_a_bounded_number_of_queries(client, salma, django_assert_max_num_queries):
    client.force_login(salma)
    response = client.post(reverse("grievances:intake"), intake_form_data())
    with django_assert_max_num_queries(8):
        client.get(response["Location"])
    with django_assert_max_num_queries(8):
        _slip(client)
