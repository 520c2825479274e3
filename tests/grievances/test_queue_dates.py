"""The queues' date filters read dd/mm/yyyy in any digits, and the ISO dates of old bookmarks."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pmpp.models import Channel

pytestmark = pytest.mark.django_db

_ROW = re.compile(r'<td><a href="/reclamations/\d+/">([^<]+)</a></td>')
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.fixture
def recent_and_old(walk):
    recent = walk.register()
    # Only a dated channel (mail) takes a reception date in the past.
    old = walk.register(channel=Channel.objects.get(code="postal"), received_at=timezone.now() - timedelta(days=40))
    return recent, old


def _queue(client, language: str, **query) -> str:
    client.cookies["django_language"] = language
    response = client.get(reverse("grievances:queue", args=["toutes"]), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("written", ["day-first", "arabic-indic", "iso-bookmark"])
def test_received_after_filters_the_queue_and_is_shown_day_first(client, salma, recent_and_old, language, written):
    recent, _old = recent_and_old
    since = timezone.localdate() - timedelta(days=10)
    value = {
        "day-first": f"{since:%d/%m/%Y}",
        "arabic-indic": f"{since:%d/%m/%Y}".translate(ARABIC_INDIC),
        "iso-bookmark": since.isoformat(),
    }[written]
    client.force_login(salma)
    page = _queue(client, language, received_after=value)
    assert _ROW.findall(page) == [recent.reference]
    field = re.search(r'<input[^>]*name="received_after"[^>]*>', page).group(0)
    assert 'type="text"' in field
    assert f'value="{since:%d/%m/%Y}"' in field


def test_a_month_first_date_is_refused_with_the_format_to_use(client, salma, recent_and_old):
    client.force_login(salma)
    page = _queue(client, "fr", received_after="03/25/2026")
    assert "Saisissez la date au format jj/mm/aaaa, par exemple 05/03/2026." in page
