"""Column mapping of each source's export, and the conversion of a row into intake arguments.

The headers are those documented in docs/imports.md; they are matched without regard to
case, accents or extra spaces. Programmes, categories and regions are matched by code or
name (also without regard to case and accents). Error messages name the column and what is
expected, never the value found: a cell may hold a CNIE, a phone number or a name.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from grievances.models import Grievance, Sex
from grievances.services.intake import search_key
from imports.parsing import FORMULA
from pmpp import limits
from pmpp.limits import max_length_of
from pmpp.models import ComplaintCategory, Programme, Region

# Logical field → header, per source. Headers as each source exports them (docs/imports.md).
_COMMON = {
    "programme": "Programme",
    "category": "Catégorie",
    "cnie": "CNIE",
    "phone": "Téléphone",
    "name": "Nom et prénom",
    "sex": "Sexe",
    "region": "Région",
    "is_anonymous": "Anonyme",
}
COLUMNS: dict[str, dict[str, str]] = {
    "chikaya": {
        "external_reference": "N° de la plainte",
        "received_at": "Date de mise en ligne",
        "description": "Objet de la plainte",
        **_COMMON,
    },
    "mediateur": {
        "external_reference": "Référence Médiateur",
        "received_at": "Date de transmission",
        "description": "Exposé des faits",
        **_COMMON,
    },
    "call-centre": {
        "external_reference": "N° d'appel",
        "received_at": "Date de l'appel",
        "description": "Motif de l'appel",
        **_COMMON,
    },
}
REQUIRED = ("external_reference", "received_at", "programme", "description")
# The longest value of each column kept as typed: the maximum every other door applies to it.
TEXT_LIMITS = {
    "external_reference": max_length_of(Grievance, "external_reference"),
    "description": max_length_of(Grievance, "description"),
    "name": max_length_of(Grievance, "complainant_name"),
    "cnie": limits.TYPED_IDENTIFIER,
    "phone": limits.TYPED_IDENTIFIER,
}
# The other columns are read as a date, a yes or no, a sex code or the code or name of a
# reference row, and never stored as typed: a value that is none of those is refused.
CODED_COLUMNS = ("received_at", "programme", "category", "sex", "region", "is_anonymous")

# Where the intake service reports an error → the logical field of the row.
SERVICE_FIELDS = {
    "complainant_cnie": "cnie",
    "complainant_phone": "phone",
    "complainant_name": "name",
    "complainant_sex": "sex",
}

_TRUE = {"oui", "o", "yes", "y", "1", "vrai", "true", "x"}
_FALSE = {"non", "n", "no", "0", "faux", "false", ""}
_SEX = {
    "f": Sex.FEMALE,
    "femme": Sex.FEMALE,
    "feminin": Sex.FEMALE,
    "h": Sex.MALE,
    "m": Sex.MALE,
    "homme": Sex.MALE,
    "masculin": Sex.MALE,
    "": Sex.UNKNOWN,
    "inconnu": Sex.UNKNOWN,
    "non precise": Sex.UNKNOWN,
}
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")
_FR_DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")


class RowError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass
class ReferenceData:
    """Programmes, categories and regions, loaded once per job and matched by search key."""

    programmes: dict[str, Programme]
    categories: dict[tuple[int, str], ComplaintCategory]
    regions: dict[str, Region]

    @classmethod
    def load(cls) -> "ReferenceData":
        programmes: dict[str, Programme] = {}
        for programme in Programme.objects.all():
            for key in (programme.code, programme.name, programme.name_ar, programme.reference_prefix):
                if key:
                    programmes.setdefault(search_key(key), programme)
        categories: dict[tuple[int, str], ComplaintCategory] = {}
        for category in ComplaintCategory.objects.filter(is_active=True):
            for key in (category.code, category.name, category.name_ar):
                if key:
                    categories.setdefault((category.programme_id, search_key(key)), category)
        regions: dict[str, Region] = {}
        for region in Region.objects.filter(is_active=True):
            for key in (region.code, region.code.lstrip("0"), region.name, region.name_ar):
                if key:
                    regions.setdefault(search_key(key), region)
        return cls(programmes=programmes, categories=categories, regions=regions)


def headers_index(*, source: str, header: list[str]) -> tuple[dict[str, str], list[str]]:
    """(logical field → header as found in the file, list of missing required headers)."""
    found = {search_key(h): h for h in header if h}
    index, missing = {}, []
    for field, expected in COLUMNS[source].items():
        actual = found.get(search_key(expected))
        if actual is not None:
            index[field] = actual
        elif field in REQUIRED:
            missing.append(expected)
    return index, missing


def column(source: str, field: str) -> str:
    return COLUMNS[source].get(field, field)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _parse_datetime(value: Any, label: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = _text(value)
        moment = None
        for fmt in _DATE_FORMATS + _FR_DATE_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            raise RowError(label, _("Date illisible : attendu AAAA-MM-JJ HH:MM ou JJ/MM/AAAA HH:MM (heure du Maroc)."))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # exports carry Morocco's local time
    return moment


def _phone(value: Any) -> str:
    text = _text(value)
    # A spreadsheet stores 0612345678 as the number 612345678: put the leading zero back.
    if text.isdigit() and len(text) == 9 and text[0] in "567":
        return "0" + text
    return text


def row_to_intake(*, source: str, index: dict[str, str], values: dict[str, Any], refs: ReferenceData) -> dict:
    """The arguments of `grievance_register` for one row, or RowError naming the bad column."""

    def cell(field: str) -> Any:
        header = index.get(field)
        value = values.get(header, "") if header else ""
        if value is FORMULA:
            raise RowError(column(source, field), _("Les formules ne sont pas acceptées : saisissez la valeur."))
        return value

    def text(field: str, value: str) -> str:
        limit = TEXT_LIMITS[field]
        if len(value) > limit:
            raise RowError(
                column(source, field),
                _("Texte trop long dans la colonne « %(column)s » : %(limit)s caractères au plus.")
                % {"column": column(source, field), "limit": limit},
            )
        return value

    external_reference = text("external_reference", _text(cell("external_reference")))
    if not external_reference:
        raise RowError(column(source, "external_reference"), _("Référence de la source manquante."))
    programme_value = _text(cell("programme"))
    if not programme_value:
        raise RowError(column(source, "programme"), _("Programme manquant."))
    programme = refs.programmes.get(search_key(programme_value))
    if programme is None:
        raise RowError(column(source, "programme"), _("Programme inconnu : indiquez son code ou son nom."))
    category = None
    category_value = _text(cell("category"))
    if category_value:
        category = refs.categories.get((programme.pk, search_key(category_value)))
        if category is None:
            raise RowError(column(source, "category"), _("Catégorie inconnue pour ce programme."))
    raw_date = cell("received_at")
    if raw_date in ("", None):
        raise RowError(column(source, "received_at"), _("Date manquante."))
    received_at = _parse_datetime(raw_date, column(source, "received_at"))
    if received_at > timezone.now():
        raise RowError(column(source, "received_at"), _("La date ne peut pas être dans le futur."))
    anonymous_value = search_key(_text(cell("is_anonymous")))
    if anonymous_value not in _TRUE | _FALSE:
        raise RowError(column(source, "is_anonymous"), _("Valeur attendue : oui ou non."))
    sex_value = search_key(_text(cell("sex")))
    if sex_value not in _SEX:
        raise RowError(column(source, "sex"), _("Valeur attendue : F (femme), H (homme) ou vide."))
    region = None
    region_value = _text(cell("region"))
    if region_value:
        region = refs.regions.get(search_key(region_value.zfill(2) if region_value.isdigit() else region_value))
        if region is None:
            raise RowError(column(source, "region"), _("Région inconnue : indiquez son code (01 à 12) ou son nom."))
    return {
        "programme": programme,
        "category": category,
        "received_at": received_at,
        "external_reference": external_reference,
        "description": text("description", str(cell("description") or "").strip()),
        "cnie": text("cnie", _text(cell("cnie"))),
        "phone": text("phone", _phone(cell("phone"))),
        "name": text("name", _text(cell("name"))),
        "sex": _SEX[sex_value],
        "region": region,
        "is_anonymous": anonymous_value in _TRUE,
    }
