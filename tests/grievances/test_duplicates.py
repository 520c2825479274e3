"""The duplicate warning has two explicit buttons; a case kept separate is « similaire à » (issue 18)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grievances.models import Grievance
from reporting.statistics import Period, grievance_statistics
from tests.factories import intake_form_data

pytestmark = pytest.mark.django_db
S = Grievance.Status


def _intake(client, **overrides):
    return client.post(reverse("grievances:intake"), intake_form_data(**overrides))


def test_the_warning_offers_two_explicit_buttons_and_no_ambiguous_confirm(client, walk, salma):
    walk.register(cnie="AB123456")
    client.force_login(salma)
    page = _intake(client).content.decode()
    assert 'name="duplicate_action" value="link"' in page
    assert "Rattacher comme doublon" in page
    assert 'name="duplicate_action" value="separate"' in page
    assert "Ouvrir un nouveau dossier" in page
    assert ">Confirmer<" not in page
    assert Grievance.objects.count() == 1
    # Enter in a field submits with the form's first submit button: a disabled one, so that
    # neither choice is made by default.
    intake_form = page[page.index('<form method="post" class="card card-body"') :]
    first_button = intake_form.split("<button", 2)[1]
    assert "disabled" in first_button.split(">", 1)[0]


def test_link_button_links_as_a_duplicate_even_with_text_in_the_reason_box(client, walk, salma):
    original = walk.register(cnie="AB123456")
    client.force_login(salma)
    response = _intake(client, duplicate_action="link", duplicate_override_reason="tapé par erreur")
    assert response.status_code == 302
    linked = Grievance.objects.latest("pk")
    assert linked.status == S.DUPLICATE
    assert linked.duplicate_of == original


def test_a_new_case_without_a_reason_is_refused_clearly_and_the_warning_stays(client, walk, salma):
    original = walk.register(cnie="AB123456")
    client.force_login(salma)
    response = _intake(client, duplicate_action="separate", duplicate_override_reason="  ")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Indiquez pourquoi ouvrir un nouveau dossier" in page
    assert 'id="duplicate-warning"' in page
    assert original.reference in page
    assert Grievance.objects.count() == 1


def test_a_case_kept_separate_reads_similar_to_not_duplicate_of(client, walk, salma):
    original = walk.register(cnie="AB123456")
    client.force_login(salma)
    response = _intake(client, duplicate_action="separate", duplicate_override_reason="Deuxième enfant")
    assert response.status_code == 302
    kept = Grievance.objects.latest("pk")
    assert kept.status == S.RECEIVED
    page = client.get(reverse("grievances:detail", args=[kept.pk])).content.decode()
    assert "Similaire à" in page
    assert original.reference in page
    assert "Deuxième enfant" in page
    assert "Doublon de" not in page


def test_a_real_duplicate_still_reads_duplicate_of(client, walk, salma):
    original = walk.register(cnie="AB123456")
    client.force_login(salma)
    _intake(client, duplicate_action="link")
    page = client.get(reverse("grievances:detail", args=[Grievance.objects.latest("pk").pk])).content.decode()
    assert "Doublon de" in page
    assert original.reference in page
    assert "Similaire à" not in page


def test_the_file_names_the_other_file_by_its_reference_without_reading_that_whole_grievance(client, walk, salma):
    # The file page shows the reference of the open file a case duplicates or resembles; it
    # used to read both whole grievances in its query (152 columns for two references).
    original = walk.register(cnie="AB123456")
    plain = walk.register(cnie="CD987654")
    client.force_login(salma)
    _intake(client, duplicate_action="link")
    linked = Grievance.objects.latest("pk")
    _intake(client, duplicate_action="separate", duplicate_override_reason="Deuxième enfant")
    separate = Grievance.objects.latest("pk")
    assert (linked.duplicate_of_id, separate.similar_to_id) == (original.pk, original.pk)

    def file(grievance):
        client.get(reverse("grievances:detail", args=[plain.pk]))  # the session and caches warm
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("grievances:detail", args=[grievance.pk])).content.decode()
        sql = [q["sql"] for q in captured]
        (query,) = [q for q in sql if f'"grievances_grievance"."id" = {grievance.pk}' in q and "LIMIT 21" in q]
        return page, sql, query

    plain_page, _sql, _query = file(plain)
    for grievance, label in ((linked, "Doublon de"), (separate, "Similaire à")):
        page, sql, query = file(grievance)
        assert label in page
        assert f">{original.reference}</a>" in page
        assert label not in plain_page
        assert query.count('"description"') == 1, "the file query reads another grievance whole"
        assert not [q for q in sql if f'"grievances_grievance"."id" = {original.pk}' in q], "nor one query more"


@pytest.mark.parametrize("action", ["link", "separate"])
def test_a_file_flagged_sensitive_since_is_not_named_on_its_duplicate(client, walk, salma, action):
    from grievances.services import workflow as wf
    from grievances.services.intake import SensitiveDetails

    original = walk.register(cnie="AB123456")
    client.force_login(salma)
    _intake(client, duplicate_action=action, duplicate_override_reason="Deuxième enfant")
    other = Grievance.objects.latest("pk")
    details = SensitiveDetails(nature="Propos déplacés")
    wf.grievance_flag_sensitive(grievance=original, actor=walk.agent, details=details)
    page = client.get(reverse("grievances:detail", args=[other.pk])).content.decode()
    # The file's facts no longer point to it (the history still tells what the agent did then).
    assert 'id="duplicate-of"' not in page
    assert 'id="similar-to"' not in page
    assert reverse("grievances:detail", args=[original.pk]) + '"' not in page


def test_statistics_count_only_real_duplicates(client, walk, salma, leila):
    walk.register(cnie="AB123456")
    client.force_login(salma)
    _intake(client, duplicate_action="separate", duplicate_override_reason="Deuxième enfant")
    _intake(client, cnie="AB123456", duplicate_action="link")
    today = timezone.localdate()
    stats = grievance_statistics(user=leila, period=Period(today, today))[None]
    assert stats.duplicates == 1
    assert stats.received == 2  # the original and the case kept separate
