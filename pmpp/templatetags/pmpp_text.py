"""Showing text in two writing directions and the history of any model in the reader's language.

`{{ value|bidi }}`: text a user typed (a name, a comment) isolated in <bdi> (see pmpp.bidi);
blocks of text take `dir="auto"` in the template.
"""

from django import template
from django.core.exceptions import FieldDoesNotExist

from pmpp.bidi import isolate

register = template.Library()


@register.filter(is_safe=True)
def bidi(value):
    """The value, escaped, in an isolating <bdi>; nothing for an empty value."""
    return isolate(value)


def _field(record, name: str):
    model = getattr(record, "instance_type", None) or type(record)
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


@register.simple_tag
def history_field_label(record, name: str) -> str:
    """A history diff's field by its verbose name (« état »), translated, not its column (status)."""
    field = _field(record, name)
    return str(getattr(field, "verbose_name", name)) if field is not None else name


@register.simple_tag
def history_value(record, name: str, value) -> str:
    """A history diff's old or new value: the label of a choice (« Qualifiée », translated)
    rather than the stored value (qualified)."""
    field = _field(record, name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return "—" if value is None or value == "" else str(value)
