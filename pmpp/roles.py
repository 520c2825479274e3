"""Roles of SPEC §1 as groups, and the permissions each one holds.

The table below is the single source: `sync_roles()` makes the groups match it after every
`migrate` (see pmpp.apps), so a permission added by a later migration reaches its roles on
the same run. A role is identified by its stable code; the group carries the French name
users know.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    group_name: str
    label: str
    permissions: tuple[str, ...]


_REFERENCE_MODELS = (
    "organisation",
    "programme",
    "region",
    "province",
    "channel",
    "complaintcategory",
    "unfoundedreason",
    "notcomplaintkind",
    "deadlinepolicy",
    "unit",
    "publicholiday",
)
_VIEW_REFERENCE = tuple(f"pmpp.view_{model}" for model in _REFERENCE_MODELS)
_EDIT_REFERENCE = tuple(f"pmpp.{action}_{model}" for model in _REFERENCE_MODELS for action in ("add", "change"))

_STAKEHOLDER_MODELS = (
    "stakeholdergroup",
    "stakeholder",
    "representative",
    "mandateverification",
    "engagementactivity",
    "concern",
    "minutes",
    "minutesattachment",
    "campaign",
    "budgetline",
    "discloseddocument",
    "correctiveaction",
    "progressnote",
    "risk",
)
_READ_REGISTRY = tuple(f"stakeholders.view_{model}" for model in _STAKEHOLDER_MODELS)
_KEEP_REGISTRY = (
    *(f"stakeholders.{action}_{model}" for model in _STAKEHOLDER_MODELS for action in ("add", "change")),
    "stakeholders.validate_minutes",
)

# Figures (dashboards, statistics) without any grievance: what ministry staff need.
_READ_STATISTICS = ("reporting.view_statistics",)
_READ_GRIEVANCES = (
    "grievances.view_grievance",
    "grievances.view_commitment",
    "grievances.view_attachment",
    *_READ_STATISTICS,
)
_READ_REPORTS = ("reporting.view_semesterreport",)
_PREPARE_REPORTS = ("reporting.add_semesterreport", "reporting.approve_semesterreport")
# Answer templates (issue 18): kept by the head of service and the focal point, within their programmes.
_KEEP_ANSWER_TEMPLATES = tuple(f"answers.{action}_answertemplate" for action in ("view", "add", "change"))


# Internal notes on the file, staff to staff, with @mentions (issue 18): the staff who work the
# cases or read them all. Not the partner organisation's liaison: the notes are the agency's own.
_NOTES = ("grievances.view_internalnote", "grievances.add_internalnote")

# Exchanges with the complainant on the file: record a call or a visit, resend a failed message.
_EXCHANGES = ("notifications.add_exchange", "notifications.resend_outboxmessage")


def _grievances(*codenames: str) -> tuple[str, ...]:
    return tuple(f"grievances.{codename}" for codename in codenames)


ES_FOCAL_POINT = "es_focal_point"
AGENT = "agent"
CASE_HANDLER = "case_handler"
HEAD_OF_BENEFICIARY_SERVICES = "head_beneficiary_services"
CLOSING_OFFICER = "closing_officer"
PARTNER_LIAISON = "partner_liaison"
GBV_REFERENT = "gbv_referent"
MINISTRY_VIEWER = "ministry_viewer"
REFERENCE_ADMIN = "reference_admin"
PUBLIC_PORTAL = "public_portal"
INTEGRATION_ACCOUNT = "integration_account"
# Roles of accounts that never sign in (no usable password): they act for a system.
SERVICE_ACCOUNT_ROLES = frozenset({PUBLIC_PORTAL, INTEGRATION_ACCOUNT})
# Roles that are project-wide by nature: only they may hold a membership on « tous les
# programmes » (pmpp.models.Membership). The E&S focal point owns the plan for the whole
# project (SPEC §1); ministry staff read figures, never identities (SECURITY.md), and the
# coordinating ministry reads the whole project; the reference administrator keeps the
# project's reference data; the public portal and an integration such as chikaya.ma file
# for every programme and read back only what they filed. Everyone else names programmes.
PROJECT_WIDE_ROLES = frozenset({ES_FOCAL_POINT, MINISTRY_VIEWER, REFERENCE_ADMIN, PUBLIC_PORTAL, INTEGRATION_ACCOUNT})

ROLES: tuple[Role, ...] = (
    Role(
        ES_FOCAL_POINT,
        "Point focal E&S",
        _("Point focal E&S"),
        (
            *_VIEW_REFERENCE,
            "pmpp.view_membership",
            *_READ_GRIEVANCES,
            *_READ_REGISTRY,
            *_KEEP_REGISTRY,
            *_READ_REPORTS,
            *_PREPARE_REPORTS,
            "privacy.view_personaldataaccess",
            *_KEEP_ANSWER_TEMPLATES,
            *_NOTES,
        ),
    ),
    Role(
        AGENT,
        "Chargé de clientèle / téléconseiller",
        _("Chargé de clientèle / téléconseiller"),
        (
            *_VIEW_REFERENCE,
            *_READ_GRIEVANCES,
            *_grievances(
                "register_grievance",
                "qualify_grievance",
                "analyse_grievance",
                "route_grievance",
                "notify_commitment",
                "regularise_grievance",
                "draft_answer",
                "send_answer",
                "record_appeal",
                "assign_grievance",
                "add_attachment",
            ),
            "imports.run_import",
            *_EXCHANGES,
            *_NOTES,
        ),
    ),
    Role(
        CASE_HANDLER,
        "Chargé de traitement des réclamations métier",
        _("Chargé de traitement des réclamations métier"),
        (
            *_VIEW_REFERENCE,
            *_READ_GRIEVANCES,
            *_grievances("commit_grievance", "regularise_grievance", "add_attachment"),
            *_NOTES,
        ),
    ),
    Role(
        HEAD_OF_BENEFICIARY_SERVICES,
        "Responsable entité Services aux bénéficiaires",
        _("Responsable entité Services aux bénéficiaires"),
        (
            *_VIEW_REFERENCE,
            *_READ_GRIEVANCES,
            *_grievances("approve_answer", "review_appeal", "assign_grievance", "add_attachment"),
            *_EXCHANGES,
            # File imports (chikaya.ma, Médiateur, call centre) register complaints.
            "grievances.register_grievance",
            "imports.run_import",
            *_READ_REGISTRY,
            *_READ_REPORTS,
            *_KEEP_ANSWER_TEMPLATES,
            *_NOTES,
        ),
    ),
    Role(
        CLOSING_OFFICER,
        "Chargé de la clôture des réclamations",
        _("Chargé de la clôture des réclamations"),
        (*_VIEW_REFERENCE, *_READ_GRIEVANCES, *_grievances("close_grievance", "add_attachment"), *_NOTES),
    ),
    Role(
        PARTNER_LIAISON,
        "Correspondant organisme partenaire",
        _("Correspondant organisme partenaire"),
        (*_VIEW_REFERENCE, *_READ_GRIEVANCES, *_grievances("record_partner_outcome", "add_attachment")),
    ),
    Role(
        GBV_REFERENT,
        "Référent VBG",
        _("Référent VBG"),
        (*_VIEW_REFERENCE, *_grievances("view_sensitivecase", "refer_sensitivecase")),
    ),
    Role(
        MINISTRY_VIEWER,
        "Personnel ministère (lecture)",
        _("Personnel ministère (lecture)"),
        # Dashboards, reports, statistics and the registry; no grievance, no identity, no
        # search and no queue (Law 09-08: only what the purpose needs; SECURITY.md).
        (*_VIEW_REFERENCE, *_READ_STATISTICS, *_READ_REGISTRY, *_READ_REPORTS),
    ),
    Role(
        REFERENCE_ADMIN,
        "Administrateur des référentiels",
        _("Administrateur des référentiels"),
        (
            *_VIEW_REFERENCE,
            *_EDIT_REFERENCE,
            "pmpp.view_user",
            "pmpp.view_membership",
            "pmpp.add_membership",
            "pmpp.change_membership",
        ),
    ),
    Role(
        INTEGRATION_ACCOUNT,
        "Compte d'intégration (API)",
        _("Compte d'intégration (API)"),
        # An external channel (chikaya.ma, Médiateur, call centre) files grievances through the
        # API (api/); a call-centre integration that takes workflow steps also gets the agent role.
        # Filing is the one step it takes; reading back what it filed goes by the visibility
        # scope of this role (grievances.access), not by a permission. Nothing else: it never
        # signs in, so no screen's permission (dashboard, reference lists) is of use to it.
        _grievances("register_grievance"),
    ),
    Role(
        PUBLIC_PORTAL,
        "Espace public (compte de service)",
        _("Espace public (compte de service)"),
        # The account the public pages (portal/) act as when a complainant, identity proven on
        # the tracking page, appeals a closed grievance. Its password is unusable: nobody signs in.
        _grievances("record_appeal"),
    ),
)
ROLES_BY_CODE = {role.code: role for role in ROLES}
_CODE_BY_GROUP_NAME = {role.group_name: role.code for role in ROLES}


def role_codes_for(user) -> set[str]:
    """Codes of the roles a user holds (cached on the user object for the request)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_codes", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        cached = {_CODE_BY_GROUP_NAME[name] for name in names if name in _CODE_BY_GROUP_NAME}
        user._role_codes = cached
    return cached


def role_grants(user, permission: str) -> bool:
    """Whether one of the user's roles grants `permission`, read from the table above.

    The same answer as `user.has_perm` for role-held permissions (`sync_roles` gives each
    group exactly its table), without the two permission queries: for a hot path that
    already reads the roles (`role_codes_for`, cached for the request).
    """
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(permission in ROLES_BY_CODE[code].permissions for code in role_codes_for(user))


def sync_roles(*, verbosity: int = 0) -> None:
    """Create every role group and give it exactly the permissions of the table above.

    Raises LookupError when the table names a permission that no model declares: a typo
    there must fail `migrate`, not silently leave a role without a right.
    """
    from django.contrib.auth.models import Group, Permission

    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.group_name)
        wanted = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".", 1)
            try:
                wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
            except Permission.DoesNotExist:
                raise LookupError(f"Role {role.code!r} names unknown permission {dotted!r}") from None
        group.permissions.set(wanted)
        if verbosity >= 2:
            print(f"  role {role.code}: {len(wanted)} permissions")
