"""Who may see and do what with grievances (SPEC §1, §5.5).

One scope per model, used by every list, search, export, API and report:
`Grievance.objects.visible_to(user)` filters with `grievance_scope_q(user)`, and
`user_can_see_grievance(user, grievance)` answers the same question for one object in
Python. A test checks, for every role, that the two agree.
"""

from collections.abc import Callable

from django.conf import settings
from django.db.models import Q

from pmpp import roles

# Roles that work on, or read, the ordinary grievances of their programmes.
PROGRAMME_SCOPED_ROLES = frozenset(
    {
        roles.AGENT,
        roles.CASE_HANDLER,
        roles.HEAD_OF_BENEFICIARY_SERVICES,
        roles.CLOSING_OFFICER,
        # The public portal's service account records the appeal a complainant files from
        # the tracking page; it cannot sign in and holds no other permission.
        roles.PUBLIC_PORTAL,
    }
)
_NOTHING = Q(pk__in=[])


def grievance_scope_q(user) -> Q:
    from grievances.models import Grievance

    if not user.is_authenticated or not user.is_active:
        return _NOTHING
    codes = roles.role_codes_for(user)
    scope = user.programme_scope()
    ordinary = ~Q(status=Grievance.Status.SENSITIVE)
    q = _NOTHING
    if user.is_superuser or roles.ES_FOCAL_POINT in codes:
        # The focal point reads every ordinary grievance of the project (SPEC §1).
        q |= ordinary
    if codes & PROGRAMME_SCOPED_ROLES:
        q |= ordinary & scope.as_q()
    if roles.PARTNER_LIAISON in codes:
        q |= ordinary & Q(partner_organisation_id__in=scope.organisation_ids)
    if roles.INTEGRATION_ACCOUNT in codes:
        # An integration (chikaya.ma, the Médiateur…) reads back what it filed, nothing more.
        q |= ordinary & Q(created_by=user) & scope.as_q()
    if roles.GBV_REFERENT in codes:
        # The referent sees the husk of a grievance that was moved to a sensitive case.
        q |= Q(status=Grievance.Status.SENSITIVE) & scope.as_q()
    return q


def counted_scope_q(user) -> Q:
    """The grievances a user's figures count: those they read, and for ministry staff, who
    read no grievance, the ordinary grievances of their programmes (counted, never shown)."""
    from grievances.models import Grievance

    q = grievance_scope_q(user)
    if user.is_authenticated and user.is_active and roles.MINISTRY_VIEWER in roles.role_codes_for(user):
        q |= ~Q(status=Grievance.Status.SENSITIVE) & user.programme_scope().as_q()
    return q


def user_can_see_grievance(user, grievance) -> bool:
    from grievances.models import Grievance

    if not user.is_authenticated or not user.is_active:
        return False
    codes = roles.role_codes_for(user)
    scope = user.programme_scope()
    if grievance.status == Grievance.Status.SENSITIVE:
        return roles.GBV_REFERENT in codes and scope.covers(grievance.programme_id)
    if user.is_superuser or roles.ES_FOCAL_POINT in codes:
        return True
    if codes & PROGRAMME_SCOPED_ROLES and scope.covers(grievance.programme_id):
        return True
    if (
        roles.INTEGRATION_ACCOUNT in codes
        and grievance.created_by_id == user.pk
        and scope.covers(grievance.programme_id)
    ):
        return True
    return roles.PARTNER_LIAISON in codes and grievance.partner_organisation_id in scope.organisation_ids


def sensitive_scope_q(user) -> Q:
    """Sensitive GBV/SEA/SH cases: the GBV referent of the programme, and no one else."""
    if not user.is_authenticated or not user.is_active:
        return _NOTHING
    if roles.GBV_REFERENT not in roles.role_codes_for(user):
        return _NOTHING
    return user.programme_scope().as_q()


def user_can_see_sensitive_case(user, case) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return roles.GBV_REFERENT in roles.role_codes_for(user) and user.programme_scope().covers(case.programme_id)


def may(
    codename: str, *, not_the: str | None = None, unless_setting: str | None = None, partner_only: bool = False
) -> Callable:
    """Transition permission: the role's permission, on a grievance the user can see.

    `not_the="answer_author_id"` is the four-eyes rule: the user recorded in that field
    may not take this step (the answer is approved by someone other than its author; the
    closing officer does not close what they qualified). `unless_setting` names a setting
    that relaxes it for small teams. `partner_only` restricts the step to the liaison of
    the partner organisation the grievance was transmitted to.
    """
    permission = f"grievances.{codename}"

    def check(instance, user) -> bool:
        if not user.has_perm(permission) or not user_can_see_grievance(user, instance):
            return False
        if partner_only and instance.partner_organisation_id not in user.programme_scope().organisation_ids:
            return False
        if not_the and getattr(instance, not_the) == user.pk:
            return bool(unless_setting and getattr(settings, unless_setting, False))
        return True

    check.permission = permission
    check.four_eyes_field = not_the
    return check


def may_handle_sensitive(instance, user) -> bool:
    """Transition permission on a sensitive case: the GBV referent of its programme."""
    return user.has_perm("grievances.refer_sensitivecase") and user_can_see_sensitive_case(user, instance)
