"""Tables of the registry lists, and the columns of their CSV/XLSX exports.

Each table's `export` lists (header, value) pairs: the export carries the same rows as
the screen (same selector, same filters), with plain values a spreadsheet can sort.
Many-to-many columns read the selector's prefetch, so a page costs the same queries
whatever its length.
"""

from datetime import date

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pmpp.bidi import UserTextColumn, isolate
from stakeholders.charts import quadrant_label
from stakeholders.models import Language, MandateVerification, NotificationMeans
from stakeholders.selectors import execution_rate, mandate_status
from stakeholders.templatetags.registry import mad, percent

_ATTRS = {"class": "table table-sm table-hover align-middle"}
_TEMPLATE = "django_tables2/bootstrap5.html"


def _labels(related) -> str:
    return ", ".join(item.label if hasattr(item, "label") else str(item) for item in related.all())


def _choices(values: list[str], choices) -> str:
    known = dict(choices.choices)
    return ", ".join(str(known.get(value, value)) for value in values)


def _date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _link(name: str):
    return (f"stakeholders:{name}", {"pk": tables.A("pk")})


class RegistryTable(tables.Table):
    export: list = []

    class Meta:
        attrs = _ATTRS
        template_name = _TEMPLATE
        empty_text = _("Aucune ligne.")


class GroupTable(RegistryTable):
    name = UserTextColumn(verbose_name=_("Nom"), linkify=_link("group_detail"))
    category = tables.Column(verbose_name=_("Catégorie"))
    programmes = tables.Column(verbose_name=_("Programmes"), empty_values=(), orderable=False)
    language_needs = tables.Column(verbose_name=_("Besoins linguistiques"), empty_values=(), orderable=False)
    notification_means = tables.Column(verbose_name=_("Moyens de notification"), empty_values=(), orderable=False)

    export = [
        (_("Code"), lambda g: g.code),
        (_("Nom"), lambda g: g.name),
        (_("Nom (arabe)"), lambda g: g.name_ar),
        (_("Catégorie"), lambda g: g.get_category_display()),
        (_("Programmes"), lambda g: _labels(g.programmes)),
        (_("Besoins linguistiques"), lambda g: _choices(g.language_needs, Language)),
        (_("Moyens de notification préférés"), lambda g: _choices(g.notification_means, NotificationMeans)),
        (_("Principales caractéristiques"), lambda g: g.characteristics),
        (_("Besoins et attentes"), lambda g: g.needs),
    ]

    class Meta(RegistryTable.Meta):
        empty_text = _("Aucun groupe.")

    def render_programmes(self, record) -> str:
        return _labels(record.programmes) or "—"

    def render_language_needs(self, record) -> str:
        return _choices(record.language_needs, Language) or "—"

    def render_notification_means(self, record) -> str:
        return _choices(record.notification_means, NotificationMeans) or "—"


class StakeholderTable(RegistryTable):
    name = UserTextColumn(verbose_name=_("Nom"), linkify=_link("stakeholder_detail"))
    kind = tables.Column(verbose_name=_("Type"))
    organisation = tables.Column(verbose_name=_("Organisation"), accessor="organisation__name")
    groups = tables.Column(verbose_name=_("Groupes"), empty_values=(), orderable=False)
    region = tables.Column(verbose_name=_("Région"), accessor="region__name")
    influence = tables.Column(verbose_name=_("Influence"))
    interest = tables.Column(verbose_name=_("Intérêt"))
    quadrant = tables.Column(verbose_name=_("Stratégie"), empty_values=(), orderable=False)
    is_active = tables.BooleanColumn(verbose_name=_("Actif"), yesno=(_("oui"), _("non")))

    export = [
        (_("Nom"), lambda s: s.name),
        (_("Type"), lambda s: s.get_kind_display()),
        (_("Organisation"), lambda s: s.organisation.label if s.organisation_id else ""),
        (_("Groupes"), lambda s: _labels(s.groups)),
        (_("Programmes"), lambda s: _labels(s.programmes)),
        (_("Région"), lambda s: s.region.label if s.region_id else ""),
        (_("Personne de contact"), lambda s: s.contact_name),
        (_("Courrier électronique"), lambda s: s.email),
        (_("Téléphone"), lambda s: s.phone),
        (_("Influence"), lambda s: s.influence),
        (_("Intérêt"), lambda s: s.interest),
        (_("Stratégie"), lambda s: quadrant_label(influence=s.influence, interest=s.interest)),
        (_("Actif"), lambda s: s.is_active),
    ]

    class Meta(RegistryTable.Meta):
        empty_text = _("Aucune partie prenante.")

    def render_organisation(self, record) -> str:
        return record.organisation.label

    def render_region(self, record) -> str:
        return record.region.label

    def render_groups(self, record) -> str:
        return _labels(record.groups) or "—"

    def render_quadrant(self, record) -> str:
        return quadrant_label(influence=record.influence, interest=record.interest)


class RepresentativeTable(RegistryTable):
    name = UserTextColumn(verbose_name=_("Nom"), linkify=_link("representative_detail"))
    group = tables.Column(verbose_name=_("Groupe représenté"), accessor="group__name")
    role = tables.Column(verbose_name=_("Qualité"))
    last_verified_on = tables.Column(verbose_name=_("Dernière vérification"))
    last_outcome = tables.Column(verbose_name=_("Résultat"))
    mandate = tables.Column(
        verbose_name=_("Mandat"), accessor="last_expires_on", order_by=("last_expires_on",), empty_values=()
    )
    is_active = tables.BooleanColumn(verbose_name=_("Actif"), yesno=(_("oui"), _("non")))

    export = [
        (_("Nom"), lambda r: r.name),
        (_("Groupe représenté"), lambda r: r.group.name),
        (_("Qualité"), lambda r: r.role),
        (_("Contact"), lambda r: r.contact),
        (_("Partie prenante"), lambda r: r.stakeholder.name if r.stakeholder_id else ""),
        (_("Dernière vérification"), lambda r: r.last_verified_on),
        (_("Résultat"), lambda r: MandateVerification.Outcome(r.last_outcome).label if r.last_outcome else ""),
        (_("Valable jusqu'au"), lambda r: r.last_expires_on),
        (_("État du mandat"), lambda r: mandate_status(r)[1]),
        (_("Actif"), lambda r: r.is_active),
    ]

    class Meta(RegistryTable.Meta):
        empty_text = _("Aucun représentant.")

    def render_last_verified_on(self, value) -> str:
        return _date(value)

    def render_last_outcome(self, value) -> str:
        return MandateVerification.Outcome(value).label

    def render_mandate(self, record):
        code, label = mandate_status(record)
        badge = "text-bg-success" if code == "valid" else "text-bg-warning" if code == "expiring" else "text-bg-danger"
        return format_html('<span class="badge {}">{}</span>', badge, label)


class MandateTable(RepresentativeTable):
    """The representatives whose mandate must be verified (again)."""

    class Meta(RepresentativeTable.Meta):
        exclude = ["is_active"]
        empty_text = _("Aucun mandat à revérifier.")


class ActivityTable(RegistryTable):
    start_date = tables.Column(verbose_name=_("Date"))
    title = UserTextColumn(verbose_name=_("Intitulé"), linkify=_link("activity_detail"))
    type = tables.Column(verbose_name=_("Type"))
    organiser = tables.Column(verbose_name=_("Organisateur"), accessor="organiser__name")
    programmes = tables.Column(verbose_name=_("Programmes"), empty_values=(), orderable=False)
    place = tables.Column(verbose_name=_("Lieu"), empty_values=(), orderable=False)
    participants = tables.Column(verbose_name=_("Participants"), empty_values=(), orderable=False)

    export = [
        (_("Date de début"), lambda a: a.start_date),
        (_("Date de fin"), lambda a: a.end_date),
        (_("Intitulé"), lambda a: a.title),
        (_("Type"), lambda a: a.get_type_display()),
        (_("Lieu"), lambda a: a.place),
        (_("En ligne"), lambda a: a.online),
        (_("Organisateur"), lambda a: a.organiser.label),
        (_("Programmes"), lambda a: _labels(a.programmes)),
        (_("Femmes"), lambda a: a.participants_women),
        (_("Hommes"), lambda a: a.participants_men),
        (_("Sexe non précisé"), lambda a: a.participants_unspecified),
        (_("Total des participants"), lambda a: a.participants_total),
        (_("Participants issus de groupes vulnérables"), lambda a: a.vulnerable_participants),
        (_("Langues"), lambda a: _choices(a.languages, Language)),
        (_("Thèmes / ordre du jour"), lambda a: a.topics),
    ]

    class Meta(RegistryTable.Meta):
        empty_text = _("Aucune activité.")

    def render_start_date(self, record) -> str:
        if record.end_date and record.end_date != record.start_date:
            return f"{_date(record.start_date)} – {_date(record.end_date)}"
        return _date(record.start_date)

    def render_organiser(self, record) -> str:
        return record.organiser.label

    def render_programmes(self, record) -> str:
        return _labels(record.programmes) or "—"

    def render_place(self, record) -> str:
        if record.online:
            return format_html("{} ({})", isolate(record.place), _("en ligne")) if record.place else str(_("En ligne"))
        return isolate(record.place) or "—"

    def render_participants(self, record) -> str:
        return str(record.participants_total)


class CampaignTable(RegistryTable):
    title = UserTextColumn(verbose_name=_("Intitulé"), linkify=_link("campaign_detail"))
    programme = tables.Column(verbose_name=_("Programme"), accessor="programme__name")
    responsible = tables.Column(verbose_name=_("Organisme responsable"), accessor="responsible__name")
    start_date = tables.Column(verbose_name=_("Début"))
    end_date = tables.Column(verbose_name=_("Fin"))
    planned_total = tables.Column(verbose_name=_("Budget prévu (MAD TTC)"), attrs={"td": {"class": "text-end"}})
    actual_total = tables.Column(verbose_name=_("Dépense réelle (MAD TTC)"), attrs={"td": {"class": "text-end"}})
    rate = tables.Column(
        verbose_name=_("Exécution"), empty_values=(), orderable=False, attrs={"td": {"class": "text-end"}}
    )

    export = [
        (_("Intitulé"), lambda c: c.title),
        (_("Programme"), lambda c: c.programme.label),
        (_("Organisme responsable"), lambda c: c.responsible.label),
        (_("Canaux"), lambda c: c.channels),
        (_("Langues"), lambda c: _choices(c.languages, Language)),
        (_("Début"), lambda c: c.start_date),
        (_("Fin"), lambda c: c.end_date),
        (_("Budget prévu (MAD TTC)"), lambda c: c.planned_total),
        (_("Dépense réelle (MAD TTC)"), lambda c: c.actual_total),
        (_("Taux d'exécution (%)"), lambda c: execution_rate(planned=c.planned_total, actual=c.actual_total)),
    ]

    class Meta(RegistryTable.Meta):
        empty_text = _("Aucune campagne.")

    def render_programme(self, record) -> str:
        return record.programme.label

    def render_responsible(self, record) -> str:
        return record.responsible.label

    def render_start_date(self, value) -> str:
        return _date(value)

    def render_end_date(self, value) -> str:
        return _date(value)

    def render_planned_total(self, value) -> str:
        return mad(value)

    def render_actual_total(self, value) -> str:
        return mad(value)

    def render_rate(self, record) -> str:
        return percent(execution_rate(planned=record.planned_total, actual=record.actual_total))


def _overdue_row(record, table) -> str:
    return "table-danger" if record.is_overdue(today=table.today) else ""


class CorrectiveActionTable(RegistryTable):
    title = UserTextColumn(verbose_name=_("Intitulé"), linkify=_link("action_detail"))
    source = tables.Column(verbose_name=_("Origine"))
    owner_organisation = tables.Column(verbose_name=_("Responsable"), accessor="owner_organisation__name")
    owner_name = UserTextColumn(verbose_name=_("Personne responsable"))
    due_on = tables.Column(verbose_name=_("Échéance"))
    status = tables.Column(verbose_name=_("État"))
    completed_on = tables.Column(verbose_name=_("Réalisée le"))

    export = [
        (_("Intitulé"), lambda a: a.title),
        (_("Origine"), lambda a: a.get_source_display()),
        (_("Activité d'origine"), lambda a: a.source_activity.title if a.source_activity_id else ""),
        (_("Programme"), lambda a: a.programme.label if a.programme_id else ""),
        (_("Responsable"), lambda a: a.owner_organisation.label),
        (_("Personne responsable"), lambda a: a.owner_name),
        (_("Échéance"), lambda a: a.due_on),
        (_("État"), lambda a: a.get_status_display()),
        (_("Réalisée le"), lambda a: a.completed_on),
        (_("En retard"), lambda a: a.is_overdue()),
    ]

    class Meta(RegistryTable.Meta):
        row_attrs = {"class": _overdue_row}
        empty_text = _("Aucune action corrective.")

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def render_owner_organisation(self, record) -> str:
        return record.owner_organisation.label

    def render_due_on(self, record):
        if record.is_overdue(today=self.today):
            return format_html('{} <span class="badge text-bg-danger">{}</span>', _date(record.due_on), _("En retard"))
        return _date(record.due_on)

    def render_completed_on(self, value) -> str:
        return _date(value)


class RiskTable(RegistryTable):
    number = tables.Column(verbose_name=_("N°"))
    title = UserTextColumn(verbose_name=_("Risque"), linkify=_link("risk_detail"))
    components = UserTextColumn(verbose_name=_("Composantes / activités concernées"))
    status = tables.Column(verbose_name=_("État"))

    export = [
        (_("N°"), lambda r: r.number),
        (_("Risque"), lambda r: r.title),
        (_("Composantes / activités concernées"), lambda r: r.components),
        (_("Mesures d'atténuation"), lambda r: r.mitigation),
        (_("État"), lambda r: r.get_status_display()),
        (_("Observations sur l'état"), lambda r: r.status_note),
    ]

    class Meta(RegistryTable.Meta):
        empty_text = _("Aucun risque.")


class DocumentTable(RegistryTable):
    title = UserTextColumn(verbose_name=_("Titre"), linkify=_link("document_detail"))
    version = tables.Column(verbose_name=_("Version"))
    published_on = tables.DateColumn(verbose_name=_("Publié le"), format="d/m/Y")
    programme = tables.Column(verbose_name=_("Programme"), empty_values=())
    where = UserTextColumn(verbose_name=_("Lieu de publication"))

    export = [
        (_("Titre"), lambda d: d.title),
        (_("Version"), lambda d: d.version),
        (_("Publié le"), lambda d: d.published_on),
        (_("Programme"), lambda d: d.programme.name if d.programme_id else ""),
        (_("Lieu de publication"), lambda d: d.where),
        (_("Langues"), lambda d: _choices(d.languages, Language)),
    ]

    class Meta(RegistryTable.Meta):
        empty_text = _("Aucun document.")

    def render_programme(self, record) -> str:
        return record.programme.label if record.programme_id else "—"
