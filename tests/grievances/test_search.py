"""Search: best match first, one page at most, and never past the user's visibility."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grievances.selectors import grievance_search
from grievances.services import workflow as wf
from grievances.services.intake import SensitiveDetails

URL = reverse("grievances:search")


def _search(client, term: str) -> str:
    """The results part of the page (the form above it repeats the term)."""
    page = client.post(URL, {"q": term}).content.decode()
    return page.split('id="search-results"', 1)[1]


def test_the_same_full_name_comes_before_the_names_that_contain_it(walk, salma):
    older = walk.register(name="Zahra Benali")
    containing = walk.register(name="Fatima Zahra Benali")
    newer = walk.register(name="ZAHRA BENALI")
    walk.register(name="Khadija Alaoui")

    rows, more = grievance_search(user=salma, term="Zahra Benali")

    assert rows == [newer, older, containing]
    assert more is False


def test_part_of_a_name_finds_every_name_that_contains_it_newest_first(walk, salma):
    first = walk.register(name="Zahra Benali")
    second = walk.register(name="Fatima Zahra Benaïssa")
    walk.register(name="Khadija Alaoui")

    rows, _more = grievance_search(user=salma, term="zahra bena")

    assert rows == [second, first]


def test_a_name_shared_by_more_than_a_page_shows_one_page_and_says_so(client, walk, salma, monkeypatch):
    monkeypatch.setattr("grievances.views.SEARCH_LIMIT", 3)
    shared = [walk.register(name="Aicha Alaoui") for _ in range(4)]
    client.force_login(salma)

    page = _search(client, "aicha alaoui")

    assert [g.reference in page for g in shared] == [False, True, True, True]
    assert "Plus de 3 résultats" in page


def test_a_page_that_holds_every_match_does_not_say_there_are_more(client, walk, salma, monkeypatch):
    monkeypatch.setattr("grievances.views.SEARCH_LIMIT", 3)
    shared = [walk.register(name="Aicha Alaoui") for _ in range(3)]
    client.force_login(salma)

    page = _search(client, "aicha alaoui")

    assert all(g.reference in page for g in shared)
    assert "Plus de" not in page


def test_a_match_found_by_its_handle_is_listed_once(walk, salma):
    # A tracking code can be all letters, so the name tiers run after the handle tier.
    g = walk.register(name="Zahra Benali")
    rows, _more = grievance_search(user=salma, term=g.tracking_code)
    assert rows == [g]


def test_search_costs_the_same_queries_for_one_match_or_many(client, walk, salma):
    walk.register(name="Rare Nom")
    for _ in range(8):
        walk.register(name="Aicha Alaoui")
    client.force_login(salma)

    def queries(term: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.post(URL, {"q": term}).status_code == 200
        return len(captured)

    assert queries("rare nom") == queries("aicha alaoui")
    # A substring that is no full name: the page is filled from the third tier.
    assert queries("rare") == queries("alaoui")


def test_a_case_moved_to_the_gbv_referent_is_not_found_by_the_agent(client, walk, salma):
    g = walk.register(name="Zahra Benali")
    wf.grievance_flag_sensitive(grievance=g, actor=salma, details=SensitiveDetails(nature="Propos déplacés"))
    client.force_login(salma)
    for term in (g.reference, g.tracking_code, "AB100001", "zahra benali", "benali"):
        assert g.reference not in _search(client, term), term


@pytest.mark.django_db
def test_a_full_name_is_read_newest_first_from_one_index_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL index")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'grievance_name_received_idx'")
        (definition,) = cursor.fetchone()
    assert "(search_name, received_at, id)" in definition
