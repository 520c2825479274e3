"""Navigation: each entry is shown only to the roles that may use it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pmpp import roles

_INTAKE_ROLES = {roles.AGENT}
# Who reads the stakeholder registry (SPEC §3): the focal point keeps it, the others read it.
_REGISTRY_ROLES = {roles.ES_FOCAL_POINT, roles.MINISTRY_VIEWER, roles.HEAD_OF_BENEFICIARY_SERVICES}

_REPORT_READERS = {roles.MINISTRY_VIEWER, roles.ES_FOCAL_POINT, roles.HEAD_OF_BENEFICIARY_SERVICES}

# (label, url name, roles that see it; None = every signed-in user). Entries whose view
# does not exist yet are left out until the issue that builds them.
NAVIGATION = [
    (_("Tableau de bord"), "home", None),
    (_("Nouvelle réclamation"), "grievances:intake", _INTAKE_ROLES),
    (_("Imports"), "imports:list", {roles.AGENT, roles.HEAD_OF_BENEFICIARY_SERVICES}),
    (_("Modèles de réponse"), "answers:list", {roles.HEAD_OF_BENEFICIARY_SERVICES, roles.ES_FOCAL_POINT}),
    (_("Cas sensibles"), "grievances:sensitive_list", {roles.GBV_REFERENT}),
    (_("Parties prenantes"), "stakeholders:home", _REGISTRY_ROLES),
    (_("Consultations"), "stakeholders:activity_list", _REGISTRY_ROLES),
    (_("Tableaux de bord"), "reporting:dashboard", _REPORT_READERS),
    (_("Rapports semestriels"), "reporting:report_list", _REPORT_READERS),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    codes = roles.role_codes_for(user)
    items = [
        {"label": label, "url": reverse(url_name), "active": request.path == reverse(url_name)}
        for label, url_name, allowed in NAVIGATION
        if allowed is None or user.is_superuser or codes & allowed
    ]
    if user.is_staff:
        items.append({"label": _("Administration"), "url": reverse("admin:index"), "active": False})
    user_roles = [roles.ROLES_BY_CODE[code].label for code in sorted(codes)]
    return {
        "nav_items": items,
        "user_roles": user_roles,
        # The header's search box: for those who read grievances, as the search view itself checks.
        "header_search": roles.role_grants(user, "grievances.view_grievance"),
    }
