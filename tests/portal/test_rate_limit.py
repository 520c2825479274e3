"""Tracking attempts are limited per client address and per tracking code (issue 7, item 7).

Past PMPP_TRACKING_ATTEMPTS failures within PMPP_TRACKING_WINDOW_MINUTES, even the right
answer is refused, until the window has passed. Time is moved by ageing the counter rows.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import TrackingThrottle
from tests.portal.conftest import CNIE, track

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"


@pytest.fixture(autouse=True)
def three_attempts_in_ten_minutes(settings):
    settings.PMPP_TRACKING_ATTEMPTS = 3
    settings.PMPP_TRACKING_WINDOW_MINUTES = 10


def age_counters(minutes: int) -> None:
    for row in TrackingThrottle.objects.all():
        row.window_started_at -= timedelta(minutes=minutes)
        row.save(update_fields=["window_started_at"])


def opens(response) -> bool:
    return response.status_code == 302


def test_an_address_is_stopped_after_the_allowed_failures(visitor, file_online):
    grievance = file_online().grievance
    for n in range(3):
        assert not opens(track(visitor, code=f"GUESS{n}ABCDEF", identity=CNIE, address=ATTACKER))

    # The right answer, from the same address, is refused…
    assert not opens(track(visitor, code=grievance.tracking_code, identity=CNIE, address=ATTACKER))
    # …from another address it is not…
    assert opens(track(visitor, code=grievance.tracking_code, identity=CNIE, address="203.0.113.8"))
    # …and once the window has passed, the address may try again.
    age_counters(11)
    assert opens(track(visitor, code=grievance.tracking_code, identity=CNIE, address=ATTACKER))


def test_a_code_is_stopped_after_the_allowed_failures_from_any_addresses(visitor, file_online):
    grievance = file_online().grievance
    for n in range(3):
        assert not opens(track(visitor, code=grievance.tracking_code, identity=f"ZZ99999{n}", address=f"10.0.0.{n}"))

    assert not opens(track(visitor, code=grievance.tracking_code, identity=CNIE, address="203.0.113.9"))
    age_counters(9)  # still inside the window
    assert not opens(track(visitor, code=grievance.tracking_code, identity=CNIE, address="203.0.113.9"))
    age_counters(2)
    assert opens(track(visitor, code=grievance.tracking_code, identity=CNIE, address="203.0.113.9"))


def test_failures_below_the_limit_do_not_block(visitor, file_online):
    grievance = file_online().grievance
    for _ in range(2):
        track(visitor, code=grievance.tracking_code, identity="ZZ999999", address=ATTACKER)
    assert opens(track(visitor, code=grievance.tracking_code, identity=CNIE, address=ATTACKER))


def test_the_limit_is_read_at_call_time(visitor, file_online, settings):
    grievance = file_online().grievance
    track(visitor, code=grievance.tracking_code, identity="ZZ999999", address=ATTACKER)
    settings.PMPP_TRACKING_ATTEMPTS = 1
    assert not opens(track(visitor, code=grievance.tracking_code, identity=CNIE, address=ATTACKER))


def test_counters_keep_no_address_or_code_in_clear_and_expired_ones_are_cleaned(visitor, file_online):
    grievance = file_online().grievance
    track(visitor, code=grievance.tracking_code, identity="ZZ999999", address=ATTACKER)
    keys = list(TrackingThrottle.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert all(ATTACKER not in key and grievance.tracking_code not in key for key in keys)

    age_counters(11)
    track(visitor, code="OTHERCODE234", identity=CNIE, address="203.0.113.10")
    assert TrackingThrottle.objects.count() == 2
    assert TrackingThrottle.objects.filter(window_started_at__gt=timezone.now() - timedelta(minutes=1)).count() == 2


def test_behind_a_proxy_the_configured_header_names_the_client(visitor, file_online, settings):
    settings.PMPP_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    grievance = file_online().grievance
    for n in range(3):
        visitor.post(
            "/suivre-ma-reclamation/",
            {"tracking_code": f"GUESS{n}ABCDEF", "identity": CNIE},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, {ATTACKER}",  # the client may forge the first entry, not the last
        )

    def from_(address):
        return visitor.post(
            "/suivre-ma-reclamation/",
            {"tracking_code": grievance.tracking_code, "identity": CNIE},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=address,
        )

    assert not opens(from_(ATTACKER))
    assert opens(from_("203.0.113.11"))  # another client behind the same proxy is not blocked
