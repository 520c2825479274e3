"""The category list that follows the chosen programme (issue 18), for every intake form.

Without JavaScript the categories are grouped by programme in `<optgroup>`s labelled with the
programme's name (so the five « Autre » are told apart); each option names its programme in
`data-programme`, and static/js/category-follows-programme.js keeps only the chosen programme's
categories when the programme changes, without reloading the page. The server still refuses a
category of another programme (`category_mismatch_error`).
"""

from django import forms
from django.utils.translation import gettext as _

from pmpp.models import ComplaintCategory


class ProgrammeCategorySelect(forms.Select):
    """A category `<select>` whose options say which programme they belong to."""

    def __init__(self, *args, programme_field: str = "programme", **kwargs):
        super().__init__(*args, **kwargs)
        self.programme_of: dict[str, int] = {}
        self.attrs["data-follows-programme"] = programme_field

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        programme = self.programme_of.get(str(value))
        if programme is not None:
            option["attrs"]["data-programme"] = str(programme)
        return option


def grouped_category_choices(categories, *, empty_label) -> tuple[list, dict[str, int]]:
    """(choices grouped by programme label, {category pk: programme pk}) of `categories`.

    `categories` are read once with their programme; labels follow the active language
    (`name_ar` in Arabic).
    """
    groups: dict[str, list] = {}
    programme_of: dict[str, int] = {}
    rows = categories.select_related("programme").order_by(
        "programme__component", "programme__name", "position", "name"
    )
    for category in rows:
        groups.setdefault(category.programme.label, []).append((category.pk, category.label))
        programme_of[str(category.pk)] = category.programme_id
    return [("", empty_label), *groups.items()], programme_of


def use_grouped_categories(field: forms.Field, categories, *, empty_label) -> None:
    """Give `field` (a category field) the grouped, programme-tagged list of `categories`."""
    choices, programme_of = grouped_category_choices(categories, empty_label=empty_label)
    field.choices = choices
    field.widget.choices = choices
    field.widget.programme_of = programme_of


def category_mismatch_error(*, category: ComplaintCategory, programme) -> str:
    return _(
        "La catégorie « %(category)s » relève du programme %(category_programme)s, pas du programme "
        "%(programme)s : choisissez une catégorie du programme %(programme)s."
    ) % {"category": category.label, "category_programme": category.programme.label, "programme": programme.label}
