"""The dashboard's custom period reads dd/mm/yyyy on French and Arabic pages; its links keep ISO dates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reporting.statistics import Period

pytestmark = pytest.mark.django_db

URL = "/rapports/tableau-de-bord/"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("digits", ["latin", "arabic-indic"])
def test_a_period_typed_day_first_is_the_period_asked(client, walk, omar, language, digits):
    walk.register()
    today = timezone.localdate()
    start = today - timedelta(days=40)
    typed = {"start": f"{start:%d/%m/%Y}", "end": f"{today:%d/%m/%Y}"}
    if digits == "arabic-indic":
        typed = {name: value.translate(ARABIC_INDIC) for name, value in typed.items()}
    client.force_login(omar)
    client.cookies["django_language"] = language
    response = client.get(URL, {"period": "custom"} | typed)
    assert response.context["form"].is_valid(), response.context["form"].errors
    assert response.context["dashboard"].period == Period(start, today)
    assert response.context["dashboard"].overall.received == 1
    page = response.content.decode()
    assert f'value="{start:%d/%m/%Y}"' in page
    # The export links carry ISO dates, which the dashboard reads back.
    assert f"start={start.isoformat()}" in response.context["form"].querystring()


def test_an_old_link_with_iso_dates_still_opens_the_period(client, walk, omar):
    today = timezone.localdate()
    start = today - timedelta(days=40)
    client.force_login(omar)
    response = client.get(URL, {"period": "custom", "start": start.isoformat(), "end": today.isoformat()})
    assert response.context["dashboard"].period == Period(start, today)
    assert f'value="{start:%d/%m/%Y}"' in response.content.decode()
