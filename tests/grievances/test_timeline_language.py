"""The timeline and the history diffs read in the page's language (issue 20): every label goes
through gettext; only what users wrote stays as written."""

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from grievances.timeline import grievance_timeline

pytestmark = pytest.mark.django_db

MARK = "‹ar› "


@pytest.fixture
def marked_arabic(monkeypatch):
    """Arabic active, with a catalogue that turns every message into « ‹ar› message »: what goes
    through gettext shows the mark, what is left in French does not. (The real Arabic comes
    from locale/ar, filled after the French text settles.)"""
    with translation.override("ar"):
        monkeypatch.setattr(trans_real.translation("ar"), "gettext", lambda message: f"{MARK}{message}")
        yield


def test_every_label_of_the_timeline_is_translated_and_the_users_words_are_not(walk, marked_arabic):
    grievance = walk.closed()

    events = grievance_timeline(grievance)

    assert [event.subject for event in events if not event.subject.startswith(MARK)] == []
    assert [event.what for event in events if not event.what.startswith(MARK)] == []
    status_changes = [change for event in events for change in event.changes if change.label == f"{MARK}état"]
    assert status_changes, "no change of state on the timeline"
    assert all(change.old.startswith(MARK) and change.new.startswith(MARK) for change in status_changes)
    closure = next(event for event in events if event.what == f"{MARK}Clôturer (opération 4)")
    # Stored as « Clôturer (opération 4) — Bourse versée. »: the step is the event's title, the
    # closing officer's words follow as written.
    assert closure.why == "Bourse versée."


def test_the_admin_history_names_fields_and_choices_by_their_translated_labels(walk, marked_arabic):
    from pmpp.templatetags.pmpp_text import history_field_label, history_value

    qualified = walk.qualified().history.latest("history_id")

    assert history_field_label(qualified, "status") == f"{MARK}état"
    assert history_value(qualified, "status", "received") == f"{MARK}Reçue"
    assert history_value(qualified, "description", "Appel au 1212.") == "Appel au 1212."


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_grievance_names_its_state_as_the_states_own_label_does(language):
    # `get_status_display` is the model's own (issue 19: Django's rebuilt every label per row).
    from grievances.models import Grievance

    with translation.override(language):
        for status, label in Grievance.Status.choices:
            assert Grievance(status=status).get_status_display() == str(label)
        assert Grievance(status="unknown").get_status_display() == "unknown"


def test_a_grievances_state_reads_in_arabic_on_arabic_pages():
    from grievances.models import Grievance

    closed = Grievance(status=Grievance.Status.CLOSED)
    with translation.override("fr"):
        french = closed.get_status_display()
    with translation.override("ar"):
        arabic = closed.get_status_display()
    assert french == "Clôturée"
    assert arabic not in ("", french)
