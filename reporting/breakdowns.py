"""What a breakdown's key is called: a stable code and its names in French and Arabic.

`reporting.statistics` keys its breakdowns by ids (a programme's, a region's…), booleans
(web or not), choice values (sex) and month dates. Every surface shows them through
`Labeller`, which reads the reference tables once: the snapshot of a semester report keeps
the code and both names as they were when it was frozen, the pages and downloads show the
name of the reader's language, and the API gives the code and the name.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from grievances.models import Sex
from pmpp.models import Channel, ComplaintCategory, NotComplaintKind, Programme, Region, UnfoundedReason

LANGUAGES = ("fr", "ar")


@dataclass(frozen=True)
class Label:
    """A breakdown key as shown: `code` is stable (what an API client or a snapshot keys on)."""

    code: str | None
    names: dict[str, str]

    def text(self, language: str) -> str:
        return self.names.get(language) or self.names["fr"]


_MISSING = {
    "category": _("Non catégorisée"),
    "programme_category": _("Non catégorisée"),
    "region": _("Région non renseignée"),
    "not_complaint_kind": _("Réclamations et demandes à qualifier"),
    "unfounded_reason": _("Sans motif de non-fondement"),
}
_MODELS = {
    "programme": Programme,
    "channel": Channel,
    "region": Region,
    "not_complaint_kind": NotComplaintKind,
    "unfounded_reason": UnfoundedReason,
}


def _translated(text) -> dict[str, str]:
    names = {}
    for language in LANGUAGES:
        with override(language):
            names[language] = str(text)
    return names


def month_name(month: date, language: str) -> str:
    """« Janvier 2024 » / « يناير 2024 »."""
    with override(language):
        return formats.date_format(month, "F Y").capitalize()


class Labeller:
    """Codes and names of the keys of the breakdowns in `groups`, read once."""

    def __init__(self, groups):
        wanted = set(groups)
        self.rows: dict[str, dict] = {}
        for group, model in _MODELS.items():
            if group in wanted or (group == "programme" and wanted & {"programme_category", "category"}):
                self.rows[group] = {
                    pk: (code, {"fr": name, "ar": name_ar or name})
                    for pk, code, name, name_ar in model.objects.values_list("pk", "code", "name", "name_ar")
                }
        if wanted & {"category", "programme_category"}:
            self.rows["category"] = {
                pk: (programme_id, code, {"fr": name, "ar": name_ar or name})
                for pk, programme_id, code, name, name_ar in ComplaintCategory.objects.values_list(
                    "pk", "programme_id", "code", "name", "name_ar"
                )
            }

    def __call__(self, group: str, key) -> Label:
        if group == "channel_group":
            return Label("web" if key else "non_web", _translated(_("Canaux web") if key else _("Canaux hors web")))
        if group == "sex":
            return Label(key, _translated(Sex(key).label if key in Sex.values else key))
        if group == "month":
            return Label(f"{key:%Y-%m}", {language: month_name(key, language) for language in LANGUAGES})
        if group == "programme_category":
            programme, category = key
            return self._category(category, programme_id=programme)
        if group == "category":
            return self._category(key)
        if key is None:
            return Label(None, _translated(_MISSING.get(group, _("Non renseigné"))))
        code, names = self.rows[group][key]
        return Label(code, names)

    def _category(self, pk: int | None, *, programme_id: int | None = None) -> Label:
        """A category is named with its programme: several programmes have an « Autre »."""
        if pk is None:
            programme = self.rows["programme"].get(programme_id) if programme_id else None
            missing = _translated(_MISSING["category"])
            if programme is None:
                return Label(None, missing)
            names = {language: f"{programme[1][language]} · {missing[language]}" for language in LANGUAGES}
            return Label(f"{programme[0]}/", names)
        programme_id, code, names = self.rows["category"][pk]
        programme_code, programme_names = self.rows["programme"][programme_id]
        return Label(
            f"{programme_code}/{code}",
            {language: f"{programme_names[language]} · {names[language]}" for language in LANGUAGES},
        )
