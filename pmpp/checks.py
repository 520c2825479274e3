"""System checks on the data that decides who sees what (`manage.py check`).

A membership names its programme (pmpp.models.Membership). « Tous les programmes » is for
project-wide roles only; any other membership without a programme is named here, so an
operator sees it at every `check`, `migrate` and server start.
"""

from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError

from pmpp.roles import PROJECT_WIDE_ROLES, ROLES_BY_CODE


def programme_less_memberships(app_configs=None, **kwargs) -> list[CheckWarning]:
    from pmpp.models import Membership

    project_wide_groups = [ROLES_BY_CODE[code].group_name for code in sorted(PROJECT_WIDE_ROLES)]
    rows = Membership.objects.filter(programme__isnull=True).select_related("user", "organisation")
    warnings = []
    try:
        for membership in rows.order_by("user__username", "organisation__code"):
            user = membership.user
            if membership.all_programmes and (
                user.is_superuser or user.groups.filter(name__in=project_wide_groups).exists()
            ):
                continue
            if membership.all_programmes:
                problem = "« tous les programmes » for a role that is not project-wide: it grants no programme"
            else:
                problem = "no programme: it grants none"
            warnings.append(
                CheckWarning(
                    f"Membership #{membership.pk} of user #{user.pk} at {membership.organisation.code}: {problem}.",
                    hint=(
                        "Name the programmes this person works on (one membership per programme); tick "
                        "« tous les programmes » only for the E&S focal point, ministry staff, the "
                        "reference administrator or a service account."
                    ),
                    obj=membership,
                    id="pmpp.W001",
                )
            )
    except DatabaseError:
        # Not migrated yet (`migrate` runs the checks before creating the tables).
        return []
    return warnings
