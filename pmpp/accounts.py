"""Accounts that act for a system and never sign in: the public portal, API integrations,
the data generator, the benchmarks.

Each holds its roles and memberships like a person's account, so visibility and transition
permissions apply to it unchanged, but its password is unusable: nobody can sign in as it,
and history names it as the author of what its system does.
"""

from django.contrib.auth.models import Group
from django.db import transaction

from pmpp import roles
from pmpp.models import Membership, Organisation, Programme, User


@transaction.atomic
def service_account_ensure(
    *,
    username: str,
    first_name: str,
    last_name: str = "",
    role_codes: tuple[str, ...],
    organisation: str,
    programmes: tuple[str | None, ...] = (None,),
    reason: str,
) -> tuple[User, bool]:
    """The account, created with its roles and memberships the first time; (user, created).

    An existing account is returned as it is: roles and memberships changed since in the
    admin are kept. `programmes` are programme codes; None means « tous les programmes »,
    which counts only for a project-wide role (pmpp.roles.PROJECT_WIDE_ROLES). A concurrent
    first use waits on the unique username and then reads the complete account.
    """
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    if not created:
        return user, False
    user.set_unusable_password()
    user._change_reason = reason
    user.save(update_fields=["password"])
    user.groups.add(*(Group.objects.get(name=roles.ROLES_BY_CODE[code].group_name) for code in role_codes))
    organisation_row = Organisation.objects.get(code=organisation)
    for code in programmes:
        membership = Membership(
            user=user,
            organisation=organisation_row,
            programme=Programme.objects.get(code=code) if code else None,
            all_programmes=code is None,
        )
        membership._change_reason = reason
        membership.save()
    return user, True
