"""The bench reads every queue as every role and scope shape that real accounts have (issue 19)."""

import io

import pytest
from django.core.management import call_command

from bench.scenarios import ACCOUNTS, create, role_of, scope_shape
from grievances.queues import QUEUES, queues_for
from pmpp.management.commands.load_demo import DEMO_ACCOUNTS
from pmpp.models import User

pytestmark = pytest.mark.django_db


def test_every_queue_of_every_demo_account_is_measured_with_the_accounts_role_and_scope_shape(settings):
    settings.DEBUG = False
    call_command("load_demo", "--force", "--grievances=0", stdout=io.StringIO())
    measured = {(queue.slug, spec.role, spec.shape) for spec in ACCOUNTS for queue in spec.queues()}

    needed = set()
    for username, *_ in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        needed |= {(queue.slug, role_of(user), scope_shape(user)) for queue in queues_for(user)}

    assert {slug for slug, _role, _shape in needed} == {queue.slug for queue in QUEUES}
    assert len({shape for _slug, _role, shape in needed}) >= 4  # one, several, all programmes, partner
    assert needed - measured == set()


def test_each_bench_account_has_the_role_and_scope_shape_it_is_measured_as():
    for spec in ACCOUNTS:
        user = create(spec)
        assert (role_of(user), scope_shape(user)) == (spec.role, spec.shape), spec.username
        assert [queue.slug for queue in queues_for(user)] == [queue.slug for queue in spec.queues()]
