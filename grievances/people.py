"""Colleagues a case can be given to, or told about: read with the file's own visibility rule.

Whoever is offered in an assignment picker or may be @mentioned in a note must be able to
see the case, by the one rule that decides it everywhere (`access.user_can_see_grievance`).
The candidates are read in three queries whatever their number (users, their roles, their
memberships), and the rule is then asked in Python once per candidate and per distinct kind
of case in the selection, not per case.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from grievances.access import user_can_see_grievance
from grievances.models import Grievance
from pmpp import roles

# Who takes cases (assignment): the four roles that work them.
WORKING_ROLES = (roles.AGENT, roles.CASE_HANDLER, roles.HEAD_OF_BENEFICIARY_SERVICES, roles.CLOSING_OFFICER)


def full_name(user) -> str:
    """« Prénom Nom » as colleagues know each other; the login only for an account without a name."""
    return user.get_full_name() or user.get_username()


def colleagues_with_roles(role_codes: Iterable[str]) -> list:
    """Active people holding one of these roles, each with its roles and scope already read.

    Accounts that cannot sign in (the portal's, an integration's) are not colleagues.
    """
    names = [roles.ROLES_BY_CODE[code].group_name for code in role_codes]
    by_group = {role.group_name: role.code for role in roles.ROLES}
    users = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=names)
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .distinct()
        .only("username", "first_name", "last_name", "is_active", "is_superuser")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.only("name")))
        .order_by("last_name", "first_name", "username")
    )
    memberships = defaultdict(list)
    if users:
        from pmpp.models import Membership

        rows = Membership.objects.filter(user__in=users).values_list(
            "user_id", "organisation_id", "programme_id", "all_programmes"
        )
        for user_id, organisation_id, programme_id, every in rows:
            memberships[user_id].append((organisation_id, programme_id, every))
    for user in users:
        # The caches `roles.role_codes_for` and `User.programme_scope` would otherwise fill
        # with two queries per person.
        user._role_codes = {by_group[group.name] for group in user.groups.all() if group.name in by_group}
        user._programme_scope = user.scope_from_memberships(memberships[user.pk])
    return users


def _kinds(grievances: Iterable[Grievance]) -> list[Grievance]:
    """One grievance per combination of what the visibility rule reads."""
    seen = {}
    for grievance in grievances:
        key = (
            grievance.status == Grievance.Status.SENSITIVE,
            grievance.programme_id,
            grievance.created_by_id,
            grievance.partner_organisation_id,
        )
        seen.setdefault(key, grievance)
    return list(seen.values())


def who_sees_every(users: list, grievances: Iterable[Grievance]) -> list:
    kinds = _kinds(grievances)
    return [user for user in users if all(user_can_see_grievance(user, g) for g in kinds)]


def assignees_for(grievances: Iterable[Grievance]) -> list:
    """Who can take every one of these cases (the single assignment's rule, for each).

    A case that can no longer be assigned (closed, linked as a duplicate, moved to the GBV
    referent) narrows nobody: it will be refused whoever is chosen.
    """
    assignable = [g for g in grievances if g.status not in Grievance.TERMINAL_STATES]
    return who_sees_every(colleagues_with_roles(WORKING_ROLES), assignable)


# Who reads and writes internal notes, and so may be mentioned in one (pmpp.roles: _NOTES).
NOTE_ROLES = tuple(role.code for role in roles.ROLES if "grievances.view_internalnote" in role.permissions)


def mentionable_for(grievance: Grievance) -> list:
    """Colleagues who may be mentioned in a note on this case: they read notes and see the case."""
    return who_sees_every(colleagues_with_roles(NOTE_ROLES), [grievance])


def person_label(user) -> str:
    """« Prénom Nom (@login) »: the name people know, and what to type after « @ »."""
    return _("%(name)s (@%(login)s)") % {"name": full_name(user), "login": user.get_username()}


def file_people(grievance: Grievance) -> tuple[list, list]:
    """(who may take the case, who may be mentioned on it): the file page's two pickers, from one read."""
    working, noting = set(WORKING_ROLES), set(NOTE_ROLES)
    seeing = who_sees_every(colleagues_with_roles(working | noting), [grievance])
    assignees = [] if grievance.status in Grievance.TERMINAL_STATES else [u for u in seeing if u._role_codes & working]
    return assignees, [u for u in seeing if u._role_codes & noting]
