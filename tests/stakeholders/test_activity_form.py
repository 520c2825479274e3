"""The consultation form in sections, with searchable organisation and group boxes (issue 20)."""

import re

import pytest
from django.urls import reverse

from stakeholders.models import EngagementActivity
from tests.stakeholders.builders import make_group, organisation

pytestmark = pytest.mark.django_db


def test_the_consultation_form_is_in_sections_with_searchable_multi_selects(client, leila):
    client.force_login(leila)

    page = client.get(reverse("stakeholders:activity_create")).content.decode()

    legends = re.findall(r'<legend class="form-section-legend">([^<]+)</legend>', page)
    assert legends == [
        "L&#x27;activité : quoi, quand, où",
        "Qui était invité, qui était présent",
        "Langues, thèmes et suites",
    ]
    for name in ("programmes", "groups", "invited_organisations", "present_organisations"):
        # A plain multiple select without JavaScript, named by its label, enhanced by the script.
        assert re.search(rf'<select name="{name}"[^>]* data-searchable[^>]* multiple', page), name
        assert f'<label class="form-label" for="id_{name}">' in page
    assert 'type="checkbox" name="invited_organisations"' not in page
    assert "js/searchable-select.js" in page
    assert "vendor/tom-select/tom-select.complete.min.js" in page


def test_organisations_and_groups_picked_in_the_boxes_are_saved(client, leila):
    mef, menps, group = organisation("mef-db"), organisation("menps"), make_group()
    client.force_login(leila)

    response = client.post(
        reverse("stakeholders:activity_create"),
        {
            "type": "focus_group",
            "title": "Focus group — mères d'élèves",
            "start_date": "2024-06-12",
            "organiser": mef.pk,
            "groups": [group.pk],
            "invited_organisations": [mef.pk, menps.pk],
            "present_organisations": [menps.pk],
            "participants_women": 14,
            "participants_men": 3,
            "participants_unspecified": 0,
            "vulnerable_participants": 0,
        },
    )

    assert response.status_code == 302
    activity = EngagementActivity.objects.get(title="Focus group — mères d'élèves")
    assert set(activity.invited_organisations.all()) == {mef, menps}
    assert list(activity.present_organisations.all()) == [menps]
    assert list(activity.groups.all()) == [group]
