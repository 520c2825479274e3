"""Form rendering: Django's templates, except `<select>`, which is written in Python.

Django renders every `<option>` through a template include: about 0.1 ms each. A queue page
has about ninety (programme, channel, category, region, state, assignee, unit) and a
grievance file as many in its step forms: 10 to 15 ms of every page, for markup that never
changes shape. `FormRenderer` writes the same HTML as `django/forms/widgets/select.html`
(attributes, option groups, selected options, escaping) directly; every other widget keeps
its template. `BootstrapMixin` (with pmpp/dates.py's date widgets) gives every app's forms the same look.
"""

from django import forms
from django.forms.models import ModelChoiceField, ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape as escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceIterator as FilterChoiceIterator

from pmpp.dates import DateInput, DateTimeInput, use_local_dates

__all__ = ["BootstrapMixin", "DateInput", "DateTimeInput", "FormRenderer", "list_model_choices", "select_html"]

SELECT_TEMPLATE = "django/forms/widgets/select.html"


def _attributes(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict) -> str:
    """The markup of `django/forms/widgets/select.html` for a widget's template context."""
    parts = [f'<select name="{escape(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'<optgroup label="{escape(group_name)}">')
        for option in options:
            value, label = escape(option["value"]), escape(option["label"])
            parts.append(f'<option value="{value}"{_attributes(option["attrs"])}>{label}</option>')
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with `<select>` written in Python (see the module docstring)."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            return select_html(context["widget"])
        return super().render(template_name, context, request=request)


class ListedChoiceIterator(ModelChoiceIterator):
    """A model `<select>`'s options from one plain query, not from `QuerySet.iterator()`.

    Django iterates a ModelChoiceField's queryset with `.iterator()`, which on PostgreSQL
    opens a server-side cursor: DECLARE, FETCH and CLOSE, three round trips and a held
    cursor for a list of a few dozen choices, for each `<select>` of each page. Iterated as
    a queryset, the rows are read in one query and kept on it, so a later `len()` or `bool()`
    of the choices reads no more.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListedFilterChoiceIterator(FilterChoiceIterator, ListedChoiceIterator):
    """django-filter's iterator (its « null » option first) over `ListedChoiceIterator`."""


def list_model_choices(fields) -> None:
    """Give every model choice field among `fields` its listed iterator (see above)."""
    for field in fields:
        if not isinstance(field, ModelChoiceField):
            continue
        if field.iterator is FilterChoiceIterator:
            field.iterator = ListedFilterChoiceIterator
        elif field.iterator is ModelChoiceIterator:
            field.iterator = ListedChoiceIterator
        else:
            continue
        field.widget.choices = field.choices  # the widget holds an iterator made before


class SearchableSelectMultiple(forms.SelectMultiple):
    """A `<select multiple>` that `js/searchable-select.js` turns into a Tom Select box (issue 20).

    Twenty-seven organisations as checkboxes filled a screen per field; a searchable box is one
    line: type a few letters, pick with the arrow keys and Enter, remove with Backspace. The
    `<label for>` keeps naming the box (Tom Select moves it to its own input), the script reads
    its texts in the page's language from the data attributes, and without JavaScript the
    plain multiple select still submits the same values.
    """

    class Media:
        css = {"all": ["vendor/tom-select/tom-select.bootstrap5.min.css"]}
        js = [
            forms.Script("vendor/tom-select/tom-select.complete.min.js", defer=True),
            forms.Script("js/searchable-select.js", defer=True),
        ]

    def __init__(self, attrs=None, choices=()):
        defaults = {
            "data-searchable": "",
            "data-placeholder": _("Tapez pour rechercher…"),
            "data-no-results": _("Aucun résultat"),
            "data-remove-label": _("Retirer"),
        }
        super().__init__({**defaults, **(attrs or {})}, choices)


class BootstrapMixin:
    """Bootstrap classes on every widget, so that forms look the same everywhere."""

    def _style(self) -> None:
        list_model_choices(self.fields.values())
        use_local_dates(self.fields.values())
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")
            # Free text is typed in either language: it takes its direction from its first letter.
            if isinstance(widget, forms.Textarea) or type(widget) is forms.TextInput:
                widget.attrs.setdefault("dir", "auto")
