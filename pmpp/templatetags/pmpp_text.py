"""Showing text in two writing directions and the history of any model in the reader's language.

`{{ value|bidi }}`: text a user typed (a name, a comment, a description) isolated in <bdi>, so
that inside an Arabic sentence a French « Appel au 1212. » keeps its full stop at its end, and
an Arabic name keeps its place in a French one. Blocks take `dir="auto"` in the template.
"""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html

register = template.Library()


@register.filter(is_safe=True)
def bidi(value):
    """The value, escaped, in an isolating <bdi>; nothing for an empty value."""
    if value is None or value == "":
        return ""
    return format_html("<bdi>{}</bdi>", value)


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
