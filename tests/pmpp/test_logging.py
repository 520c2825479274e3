"""Personal data never reaches a log line, even when a message or an exception quotes it."""

import logging

from pmpp.logging import RedactPersonalDataFilter, redact


def test_cnie_phone_and_email_are_masked():
    text = redact("Plainte de BK123456, tél. 0612345678 / +212 6 12 34 56 78, mail a.b@example.ma")
    assert "BK123456" not in text
    assert "0612345678" not in text
    assert "+212 6 12 34 56 78" not in text
    assert "a.b@example.ma" not in text
    assert text.count("[phone]") == 2
    assert "[cnie]" in text


def test_ordinary_words_and_references_survive():
    text = "Réclamation TAY-2023-004588 qualifiée en 12 minutes"
    assert redact(text) == text


def _format(record: logging.LogRecord) -> str:
    RedactPersonalDataFilter().filter(record)
    return logging.Formatter("%(message)s").format(record)


def test_the_filter_masks_message_arguments():
    record = logging.LogRecord("pmpp", logging.WARNING, __file__, 1, "Échec pour %s", ("AB12345",), None)
    assert _format(record) == "Échec pour [cnie]"


def test_the_filter_masks_exception_texts():
    try:
        raise ValueError("CNIE invalide : Z998877")
    except ValueError:
        import sys

        record = logging.LogRecord("pmpp", logging.ERROR, __file__, 1, "Erreur", (), sys.exc_info())
    output = _format(record)
    assert "Z998877" not in output
    assert "ValueError" in output


def test_the_filter_is_on_every_configured_handler():
    from django.conf import settings

    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_personal_data" in handler["filters"], name
