"""What a confirmation step says before an irreversible action (issue 20).

Validating minutes, approving a semester report and closing a case freeze what they touch.
The screens ask first, naming what will no longer change and how it can still be corrected;
the service refuses the action unless the request carried the confirmation (`confirm=yes`),
so the step also holds without JavaScript and for a form posted by hand.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.http import HttpRequest

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


@dataclass(frozen=True)
class Confirmation:
    """The texts of `includes/confirm_irreversible.html`, in the reader's language."""

    title: str
    frozen: Sequence[str]  # what becomes unchangeable, one item a line
    after: str  # how a mistake can still be corrected afterwards
    button: str  # the label of the button that confirms


def confirmed(data) -> bool:
    """Whether a POST (a QueryDict or a form's data) carried the confirmation button's value."""
    return data.get(CONFIRM_FIELD) == CONFIRM_VALUE


def request_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and confirmed(request.POST)
