"""Service accounts hold exactly the permissions their endpoints use (issue 17, item a).

The public portal's account and the integration accounts never sign in: they act only
through their own endpoints. Each permission they hold is therefore one those endpoints
check, and `NEEDED` says which and where. A permission added to either role without a line
here fails the first test; a line here that no endpoint needs fails the tests below, which
take the permission away and watch the endpoint refuse.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from grievances.models import Grievance
from pmpp import roles
from portal.services import portal_account, portal_appeal
from tests.api.conftest import intake, make_account

pytestmark = pytest.mark.django_db

NEEDED = {
    roles.PUBLIC_PORTAL: {
        # The tracking page's appeal: portal.services.portal_appeal → grievance_appeal →
        # run_step("appeal"), whose transition permission is may("record_appeal")
        # (grievances/models/workflow.py). Filing from the portal passes no actor (no
        # permission is asked), and tracking is proven by the code and identity, not by a right.
        "grievances.record_appeal",
    },
    roles.INTEGRATION_ACCOUNT: {
        # POST /api/v1/grievances/: api_grievance_register → grievance_register, which asks
        # has_perm("grievances.register_grievance") of its actor (grievances/services/intake.py).
        # Reading back (list, detail, commitments, statistics) goes by the role's visibility
        # scope in grievances.access, not by a permission; the registry lists need
        # stakeholders.view_*, which an integration must not have.
        "grievances.register_grievance",
    },
}


def _granted(role_code: str) -> set[str]:
    group = Group.objects.get(name=roles.ROLES_BY_CODE[role_code].group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def _withdraw(role_code: str, dotted: str) -> None:
    app_label, codename = dotted.split(".")
    group = Group.objects.get(name=roles.ROLES_BY_CODE[role_code].group_name)
    group.permissions.remove(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def test_every_service_role_is_declared_here():
    assert set(NEEDED) == roles.SERVICE_ACCOUNT_ROLES


@pytest.mark.parametrize("role_code", sorted(roles.SERVICE_ACCOUNT_ROLES))
def test_each_service_role_holds_exactly_the_permissions_its_endpoints_use(role_code):
    assert set(roles.ROLES_BY_CODE[role_code].permissions) == NEEDED[role_code]
    assert _granted(role_code) == NEEDED[role_code]


# --- the integration account: everything its endpoints offer, with that one permission ------------------------


def test_an_integration_account_files_and_reads_back_with_its_one_permission(walk):
    account, api = make_account(name="chikaya-perms")
    assert account.user.get_all_permissions() == NEEDED[roles.INTEGRATION_ACCOUNT]

    filed = api.post("/api/v1/grievances/", intake(external_reference="CH-PERM-1"), **{"Idempotency-Key": "k-1"})
    assert filed.status_code == 201, filed.json()
    reference = filed.json()["reference"]

    listed = api.get("/api/v1/grievances/")
    assert [row["reference"] for row in listed.json()["results"]] == [reference]
    assert api.get(f"/api/v1/grievances/{reference}/").status_code == 200
    assert api.get("/api/v1/commitments/", {"grievance": reference}).status_code == 200
    today = timezone.localdate()
    statistics = {"period": "quarter", "year": today.year, "number": (today.month - 1) // 3 + 1}
    assert api.get("/api/v1/statistics/", statistics).status_code == 200
    # The registry is not its business.
    for url in ("/api/v1/stakeholder-groups/", "/api/v1/stakeholders/", "/api/v1/engagement-activities/"):
        assert api.get(url).status_code == 403, url


def test_an_integration_account_without_register_grievance_files_nothing(walk):
    _account, api = make_account(name="chikaya-sans-droit")
    _withdraw(roles.INTEGRATION_ACCOUNT, "grievances.register_grievance")

    refused = api.post("/api/v1/grievances/", intake(external_reference="CH-PERM-2"), **{"Idempotency-Key": "k-2"})

    assert refused.status_code == 403
    assert not Grievance.objects.filter(external_reference="CH-PERM-2").exists()


# --- the public portal: the appeal, and nothing else --------------------------------------------------------


def test_the_portal_appeals_with_its_one_permission(walk):
    grievance = walk.closed()
    assert portal_account().get_all_permissions() == NEEDED[roles.PUBLIC_PORTAL]

    appealed = portal_appeal(grievance=grievance, reason="Montant incomplet.")

    assert appealed.status == Grievance.Status.APPEALED


def test_the_portal_without_record_appeal_cannot_appeal(walk):
    grievance = walk.closed()
    portal_account()
    _withdraw(roles.PUBLIC_PORTAL, "grievances.record_appeal")

    with pytest.raises(PermissionDenied):
        portal_appeal(grievance=grievance, reason="Montant incomplet.")

    grievance.refresh_from_db()
    assert grievance.status == Grievance.Status.CLOSED
