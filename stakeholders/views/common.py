"""What every screen of the registry shares: the lists it knows, permissions, forms, pagination."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from pmpp.confirmation import Confirmation
from privacy.access import AccessChannel, record_views
from stakeholders import filters, forms, selectors, services, tables
from stakeholders.models import (
    Campaign,
    CorrectiveAction,
    DisclosedDocument,
    EngagementActivity,
    Minutes,
    Representative,
    Risk,
    Stakeholder,
    StakeholderGroup,
)

PAGE_SIZES = (10, 25, 50, 100)

ACTION_STEPS = {
    "start": gettext_lazy("Lancer l'action"),
    "complete": gettext_lazy("Marquer comme réalisée"),
    "cancel": gettext_lazy("Abandonner l'action"),
}
RISK_STEPS = {
    "mark_mitigated": gettext_lazy("Marquer comme atténué"),
    "close": gettext_lazy("Clore le risque"),
    "reactivate": gettext_lazy("Réactiver le risque"),
}


@dataclass(frozen=True)
class Register:
    """One list of the registry: its rows, table, filters, form and export file name."""

    kind: str
    model: type[Model]
    title: str
    rows: Callable[[], QuerySet]
    table: type[tables.RegistryTable]
    filterset: type[filters.StyledFilterSet]
    form: type[forms.RegistryForm]
    file_name: str


REGISTERS = {
    register.kind: register
    for register in (
        Register(
            "group",
            StakeholderGroup,
            gettext_lazy("Groupes de parties prenantes"),
            selectors.group_list,
            tables.GroupTable,
            filters.GroupFilter,
            forms.StakeholderGroupForm,
            "groupes",
        ),
        Register(
            "stakeholder",
            Stakeholder,
            gettext_lazy("Parties prenantes"),
            selectors.stakeholder_list,
            tables.StakeholderTable,
            filters.StakeholderFilter,
            forms.StakeholderForm,
            "parties-prenantes",
        ),
        Register(
            "representative",
            Representative,
            gettext_lazy("Représentants"),
            selectors.representative_list,
            tables.RepresentativeTable,
            filters.RepresentativeFilter,
            forms.RepresentativeForm,
            "representants",
        ),
        Register(
            "activity",
            EngagementActivity,
            gettext_lazy("Activités et consultations"),
            selectors.activity_list,
            tables.ActivityTable,
            filters.ActivityFilter,
            forms.ActivityForm,
            "activites",
        ),
        Register(
            "campaign",
            Campaign,
            gettext_lazy("Campagnes de communication"),
            selectors.campaign_list,
            tables.CampaignTable,
            filters.CampaignFilter,
            forms.CampaignForm,
            "campagnes",
        ),
        Register(
            "action",
            CorrectiveAction,
            gettext_lazy("Actions correctives"),
            selectors.corrective_action_list,
            tables.CorrectiveActionTable,
            filters.CorrectiveActionFilter,
            forms.CorrectiveActionForm,
            "actions-correctives",
        ),
        Register(
            "document",
            DisclosedDocument,
            gettext_lazy("Documents divulgués"),
            selectors.document_list,
            tables.DocumentTable,
            filters.DocumentFilter,
            forms.DocumentForm,
            "documents-divulgues",
        ),
        Register(
            "risk",
            Risk,
            gettext_lazy("Registre des risques"),
            selectors.risk_list,
            tables.RiskTable,
            filters.RiskFilter,
            forms.RiskForm,
            "risques",
        ),
    )
}


# --- helpers ---------------------------------------------------------------------------------------------


def _may(user, action: str, model: type[Model]) -> bool:
    return user.has_perm(f"stakeholders.{action}_{model._meta.model_name}")


def _require(user, action: str, model: type[Model]) -> None:
    """403 for a user without the permission: the registry is not secret, only closed to some roles."""
    if not _may(user, action, model):
        raise PermissionDenied


# How the access log names the objects whose contacts a response showed.
_LOGGED_AS = {Stakeholder: "stakeholders", Representative: "representatives"}


def _log_contact_reads(request: HttpRequest, model: type[Model], objects, *, channel=AccessChannel.PAGE) -> None:
    """A stakeholder's or representative's contact details on screen or in a file are a read of
    a person's data (Law 09-08), logged as a grievance file's is: one row, ids only."""
    record_views(request.user, channel=channel, where=request.resolver_match.view_name, **{_LOGGED_AS[model]: objects})


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the fields they name, the rest on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _per_page(request: HttpRequest) -> int:
    try:
        per_page = int(request.GET.get("per_page", 25))
    except ValueError:
        return 25
    return per_page if per_page in PAGE_SIZES else 25


def _paginate(request: HttpRequest, table) -> int:
    per_page = _per_page(request)
    # LazyPaginator never counts the rows: a page costs the same whatever the length of the list.
    RequestConfig(request, paginate={"per_page": per_page, "paginator_class": LazyPaginator}).configure(table)
    return per_page


def _form_page(request: HttpRequest, form, *, title: str, back_url: str, submit: str, intro: str = "", **extra):
    context = {"form": form, "title": title, "back_url": back_url, "submit": submit, "intro": intro, **extra}
    return render(request, "stakeholders/form.html", context)


def _detail_url(obj: Model) -> str:
    kind = {
        StakeholderGroup: "group",
        Stakeholder: "stakeholder",
        Representative: "representative",
        EngagementActivity: "activity",
        Campaign: "campaign",
        CorrectiveAction: "action",
        Risk: "risk",
        DisclosedDocument: "document",
    }[type(obj)]
    return reverse(f"stakeholders:{kind}_detail", args=[obj.pk])


def _registry_form(request: HttpRequest, *, form_class, instance: Model, title: str, back_url: str, success_url=None):
    """Create or edit one registry object through `registry_save` (permission + history)."""
    _require(request.user, "change" if instance.pk else "add", type(instance))
    if request.method == "POST":
        form = form_class(request.POST, instance=instance)
        if form.is_valid():
            try:
                saved = services.registry_save(actor=request.user, form=form, reason=form.change_reason)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Enregistré : %(object)s.") % {"object": saved})
                return redirect(success_url or _detail_url(saved))
    else:
        form = form_class(instance=instance)
        # The form is filled with the stored contact: reading it is a read like the detail page's.
        if instance.pk and type(instance) in _LOGGED_AS and selectors.has_contact(instance):
            _log_contact_reads(request, type(instance), [instance])
    return _form_page(request, form, title=title, back_url=back_url, submit=_("Enregistrer"))


def _risk_steps(risk: Risk, user) -> list[dict]:
    available = {t.name for t in risk.get_available_user_status_transitions(user)}
    return [{"name": name, "label": label} for name, label in RISK_STEPS.items() if name in available]


def minutes_confirmation(minutes: Minutes) -> Confirmation:
    """What validating minutes freezes, said before it is done (issue 20)."""
    return Confirmation(
        title=_("Valider le compte rendu (version %(version)s) ?") % {"version": minutes.version},
        frozen=[
            _("le texte du compte rendu, tel qu'il est enregistré maintenant ;"),
            _("ses pièces jointes : aucune ne pourra plus être ajoutée ;"),
            _("votre nom comme auteur de la validation, et sa date."),
        ],
        after=_(
            "Une erreur ne se corrigera plus que par une nouvelle version, à valider à son tour ; la version "
            "validée restera lisible telle quelle."
        ),
        button=_("Valider et figer le compte rendu"),
    )
