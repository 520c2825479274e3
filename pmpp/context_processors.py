"""Navigation: each entry is shown only to the roles that may use it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pmpp import roles

# (label, url name, roles that see it; None = every signed-in user). Entries whose view
# does not exist yet are left out until the issue that builds them.
NAVIGATION = [
    (_("Tableau de bord"), "home", None),
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
    return {"nav_items": items, "user_roles": user_roles}
