"""The dashboard's filter form (SPEC §6): a period and reference data, nothing personal.

The form is submitted by GET, so everything it carries ends up in the address bar, the
browser history and the server logs: only dates, numbers and the ids of reference rows
(programme, channel, category, region) and a sex code — never a name, a CNIE or a phone.

Reference choices are loaded once per request as plain lists (`TypedChoiceField`), so a
submitted filter is checked against them without one more query per field, and the same
lists give the labels of the breakdowns.
"""

from datetime import date

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from grievances.models import Sex
from pmpp import roles
from pmpp.dates import DateInput, use_local_dates
from pmpp.models import Channel, ComplaintCategory, Programme, Region
from reporting.statistics import Filters, Period

QUARTER, SEMESTER, CUSTOM = "quarter", "semester", "custom"
PERIOD_KINDS = [(QUARTER, _("Trimestre")), (SEMESTER, _("Semestre")), (CUSTOM, _("Dates personnalisées"))]
WEB, NON_WEB = "web", "non_web"
FIRST_YEAR = 2000


def current_quarter(today: date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def _visible_programmes(user, programmes: list[Programme]) -> list[Programme]:
    """The programmes whose figures the user may read: the filter offers no other."""
    codes = roles.role_codes_for(user)
    scope = user.programme_scope()
    if user.is_superuser or scope.all_programmes or codes & {roles.ES_FOCAL_POINT, roles.PARTNER_LIAISON}:
        return programmes
    return [programme for programme in programmes if programme.pk in scope.programme_ids]


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Période"), choices=PERIOD_KINDS, initial=QUARTER)
    year = forms.IntegerField(label=_("Année"), required=False)
    number = forms.TypedChoiceField(
        label=_("Numéro (trimestre 1 à 4, semestre 1 ou 2)"),
        choices=[(n, str(n)) for n in range(1, 5)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    start = forms.DateField(label=_("Du"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Au"), required=False, widget=DateInput)
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, required=False, empty_value=None)
    channel = forms.TypedChoiceField(label=_("Canal"), coerce=int, required=False, empty_value=None)
    web = forms.ChoiceField(
        label=_("Web / non web"),
        required=False,
        choices=[("", _("Tous les canaux")), (WEB, _("Web uniquement")), (NON_WEB, _("Non web uniquement"))],
    )
    category = forms.TypedChoiceField(label=_("Catégorie"), coerce=int, required=False, empty_value=None)
    region = forms.TypedChoiceField(label=_("Région"), coerce=int, required=False, empty_value=None)
    sex = forms.ChoiceField(label=_("Sexe"), required=False)

    # Fields of each fieldset of the template.
    PERIOD_FIELDS = ("period", "year", "number", "start", "end")
    SCOPE_FIELDS = ("programme", "channel", "web", "category", "region", "sex")

    def __init__(self, data=None, *, user, today: date | None = None):
        self.today = today or timezone.localdate()
        year, number = current_quarter(self.today)
        # No period submitted: the current quarter (and, without other filters, everything
        # the user may see).
        submitted = {key: data.get(key) for key in data} if data else {}
        if not submitted.get("period"):
            submitted |= {"period": QUARTER, "year": str(year), "number": str(number)}
        super().__init__(data=submitted)
        self.fields["year"].min_value = FIRST_YEAR
        self.fields["year"].max_value = self.today.year + 1
        self.fields["year"].widget.attrs.update(min=FIRST_YEAR, max=self.today.year + 1)

        self.programmes = _visible_programmes(user, list(Programme.objects.order_by("component", "name")))
        self.channels = list(Channel.objects.order_by("name"))
        programme_ids = {programme.pk for programme in self.programmes}
        self.categories = [
            category
            for category in ComplaintCategory.objects.select_related("programme").order_by(
                "programme__component", "programme__name", "position", "name"
            )
            if category.programme_id in programme_ids
        ]
        self.regions = list(Region.objects.order_by("code"))

        every = [("", _("Tous"))]
        self.fields["programme"].choices = every + [(p.pk, p.label) for p in self.programmes]
        self.fields["channel"].choices = every + [(c.pk, c.label) for c in self.channels]
        self.fields["category"].choices = every + [(c.pk, str(c)) for c in self.categories]
        self.fields["region"].choices = every + [(r.pk, r.label) for r in self.regions]
        self.fields["sex"].choices = every + list(Sex.choices)
        use_local_dates(self.fields.values())
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        kind = data.get("period")
        if kind in (QUARTER, SEMESTER):
            if data.get("year") is None and "year" not in self.errors:
                self.add_error("year", _("Indiquez l'année."))
            number = data.get("number")
            if number is None:
                self.add_error("number", _("Indiquez le numéro du trimestre ou du semestre."))
            elif kind == SEMESTER and number not in (1, 2):
                self.add_error("number", _("Un semestre est numéroté 1 ou 2."))
        elif kind == CUSTOM:
            start, end = data.get("start"), data.get("end")
            for name in ("start", "end"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Indiquez les deux dates de la période."))
            if start and end:
                if start > end:
                    self.add_error("end", _("La date de fin précède la date de début."))
                for name, value in (("start", start), ("end", end)):
                    if not FIRST_YEAR <= value.year <= self.today.year + 1:
                        self.add_error(
                            name,
                            _("Choisissez une date entre %(first)d et %(last)d.")
                            % {"first": FIRST_YEAR, "last": self.today.year + 1},
                        )
        return data

    # --- what the valid form asks for --------------------------------------------------------

    def get_period(self) -> Period:
        data = self.cleaned_data
        if data["period"] == QUARTER:
            return Period.quarter(data["year"], data["number"])
        if data["period"] == SEMESTER:
            return Period.semester(data["year"], data["number"])
        return Period(data["start"], data["end"])

    def period_label(self) -> str:
        data = self.cleaned_data
        if data["period"] == QUARTER:
            return str(_("Trimestre %(number)d %(year)d") % {"number": data["number"], "year": data["year"]})
        if data["period"] == SEMESTER:
            return str(_("Semestre %(number)d %(year)d") % {"number": data["number"], "year": data["year"]})
        return str(
            _("Du %(start)s au %(end)s")
            % {
                "start": formats.date_format(data["start"], "SHORT_DATE_FORMAT"),
                "end": formats.date_format(data["end"], "SHORT_DATE_FORMAT"),
            }
        )

    def get_filters(self) -> Filters:
        data = self.cleaned_data

        def ids(name: str) -> tuple[int, ...]:
            return (data[name],) if data.get(name) is not None else ()

        web = {WEB: True, NON_WEB: False}.get(data.get("web") or "")
        return Filters(
            programme_ids=ids("programme"),
            channel_ids=ids("channel"),
            web=web,
            category_ids=ids("category"),
            region_ids=ids("region"),
            sexes=(data["sex"],) if data.get("sex") else (),
        )

    def querystring(self) -> str:
        """The valid filter as a query string, for the export links (reference data only)."""
        from django.http import QueryDict

        data = self.cleaned_data
        query = QueryDict(mutable=True)
        query["period"] = data["period"]
        if data["period"] == CUSTOM:
            query["start"], query["end"] = data["start"].isoformat(), data["end"].isoformat()
        else:
            query["year"], query["number"] = str(data["year"]), str(data["number"])
        for name in self.SCOPE_FIELDS:
            if data.get(name) not in (None, ""):
                query[name] = str(data[name])
        return query.urlencode()

    def active_filters(self) -> list[tuple[str, str]]:
        """The scope filters in use, as (field label, chosen label), for the page and the export."""
        chosen = []
        for name in self.SCOPE_FIELDS:
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            label = dict(self.fields[name].choices).get(value, value)
            chosen.append((str(self.fields[name].label), str(label)))
        return chosen
