"""Navigation: each entry is shown only to the roles that may use it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pmpp import roles

_INTAKE_ROLES = {roles.AGENT}
# Who reads the stakeholder registry (SPEC §3): the focal point keeps it, the others read it.
_REGISTRY_ROLES = {roles.ES_FOCAL_POINT, roles.MINISTRY_VIEWER, roles.HEAD_OF_BENEFICIARY_SERVICES}

_REPORT_READERS = {roles.MINISTRY_VIEWER, roles.ES_FOCAL_POINT, roles.HEAD_OF_BENEFICIARY_SERVICES}

# Where the work queues' menu sits; grievances.context_processors fills it (pmpp imports no app).
QUEUES = "queues"

# Menus grouping the entries used less than daily, so that the bar stays one line at 1366 px
# for every role, in French and in Arabic (issue 20). A menu a user would see with a single
# entry is shown as that entry's link instead: one click less, no width lost.
MENUS = {
    "registry": _("Parties prenantes"),
    "reporting": _("Rapports"),
    "tools": _("Outils"),
}

# (label, url name, roles that see it; None = every signed-in user, menu or None). Entries whose
# view does not exist yet are left out until the issue that builds them.
NAVIGATION = [
    (_("Tableau de bord"), "home", None, None),
    (_("Nouvelle réclamation"), "grievances:intake", _INTAKE_ROLES, None),
    (None, QUEUES, None, None),
    (_("Cas sensibles"), "grievances:sensitive_list", {roles.GBV_REFERENT}, None),
    (_("Registre des parties prenantes"), "stakeholders:home", _REGISTRY_ROLES, "registry"),
    (_("Consultations"), "stakeholders:activity_list", _REGISTRY_ROLES, "registry"),
    (_("Tableaux de bord"), "reporting:dashboard", _REPORT_READERS, "reporting"),
    (_("Rapports semestriels"), "reporting:report_list", _REPORT_READERS, "reporting"),
    (_("Imports"), "imports:list", {roles.AGENT, roles.HEAD_OF_BENEFICIARY_SERVICES}, "tools"),
    (_("Modèles de réponse"), "answers:list", {roles.HEAD_OF_BENEFICIARY_SERVICES, roles.ES_FOCAL_POINT}, "tools"),
]


# Sensitive cases (VBG/EAS/HS) are need-to-know: their view answers 404 to anyone but a
# GBV referent, a superuser included, so the bar offers them to nobody else either.
_NO_SUPERUSER_BYPASS = {"grievances:sensitive_list"}


def _link(request, label, url: str) -> dict:
    active = request.path == url
    return {"kind": "link", "label": label, "url": url, "active": active}


def _bar(request, user) -> list[dict]:
    """The bar's entries, in order: links, the queues' slot and menus of links."""
    codes = roles.role_codes_for(user)
    entries = [
        (label, url_name, menu)
        for label, url_name, allowed, menu in NAVIGATION
        if allowed is None or codes & allowed or (user.is_superuser and url_name not in _NO_SUPERUSER_BYPASS)
    ]
    if user.is_staff:
        entries.append((_("Administration"), "admin:index", "tools"))
    bar: list[dict] = []
    menus: dict[str, dict] = {}
    for label, url_name, menu in entries:
        if url_name == QUEUES:
            bar.append({"kind": QUEUES})
            continue
        link = _link(request, label, reverse(url_name))
        if menu is None:
            bar.append(link)
            continue
        if menu not in menus:
            menus[menu] = {"kind": "menu", "key": menu, "label": MENUS[menu], "items": []}
            bar.append(menus[menu])
        menus[menu]["items"].append(link)
    for index, entry in enumerate(bar):
        if entry["kind"] == "menu":
            if len(entry["items"]) == 1:
                bar[index] = entry["items"][0]
            else:
                entry["active"] = any(item["active"] for item in entry["items"])
    return bar


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    codes = roles.role_codes_for(user)
    user_roles = [roles.ROLES_BY_CODE[code].label for code in sorted(codes)]
    return {
        "nav_items": _bar(request, user),
        "user_roles": user_roles,
        # The header's search box: for those who read grievances, as the search view itself checks.
        "header_search": roles.role_grants(user, "grievances.view_grievance"),
    }
