"""Text a user typed, shown inside a page of the other writing direction (issue 20).

A French « Appel au 1212. » inside an Arabic page is laid out by the Unicode bidirectional
algorithm with the page's direction: its full stop, a neutral, lands on the wrong side
(« Appel au .1212 »). Isolated in <bdi> (inline) or a block with dir="auto", it takes its own
direction from its first strong letter. Templates use the `bidi` filter (pmpp_text); tables use
`UserTextColumn`.
"""

import django_tables2 as tables
from django.utils.html import format_html


def isolate(value) -> str:
    """The value, escaped, in an isolating <bdi>; "" for an empty value."""
    if value is None or value == "":
        return ""
    return format_html("<bdi>{}</bdi>", value)


class UserTextColumn(tables.Column):
    """A column of user text (a name, a title): each cell isolated, the column keeping the
    table's alignment. A link (`linkify`) wraps the isolated text."""

    def render(self, value):
        return isolate(value)
