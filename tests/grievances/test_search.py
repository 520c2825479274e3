"""Search: a name in any order, a reference straight to its file, results that survive Back.

Best match first, one page at most, never past the user's visibility, and never a CNIE, a
phone or a name in a URL (issue 18, « Search that behaves »).
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grievances.selectors import grievance_search
from grievances.services import workflow as wf
from grievances.services.intake import SensitiveDetails, grievance_register
from pmpp.models import Channel, ComplaintCategory, Programme
from privacy.models import AccessChannel, PersonalDataAccess

URL = reverse("grievances:search")


def _post(client, term: str):
    response = client.post(URL, {"q": term})
    assert response.status_code == 303, response.status_code
    return response


def _results_url(client, term: str) -> str:
    location = _post(client, term)["Location"]
    assert location.startswith(URL), location
    assert location != URL
    return location


def _search(client, term: str) -> str:
    """The results part of the page a search lands on (the form above it repeats the term)."""
    page = client.get(_results_url(client, term))
    assert page.status_code == 200
    return page.content.decode().split('id="search-results"', 1)[1]


# --- names -----------------------------------------------------------------------------------------------


def test_a_name_typed_surname_first_finds_the_same_files_as_first_name_first(walk, salma):
    """« zerouali fatima » (as on the CNIE) found nothing where « fatima zerouali » found them."""
    files = [walk.register(name="Fatima Zerouali") for _ in range(2)]
    walk.register(name="Fatima Zahra El Amrani")

    surname_first, _more = grievance_search(user=salma, term="zerouali fatima")
    first_name_first, _more = grievance_search(user=salma, term="fatima zerouali")

    assert set(surname_first) == set(files)
    assert surname_first == first_name_first


@pytest.mark.parametrize("term", ["zerouali fatima", "fatima zerouali", "Zérouali", "FATIMA ZÉROUALI", "ZEROUALI"])
def test_a_name_matches_in_any_order_without_accents_or_case(client, walk, salma, term):
    found = walk.register(name="Fatima Zérouali")
    walk.register(name="Khadija Alaoui")
    client.force_login(salma)

    results = _search(client, term)

    assert found.reference in results
    assert "Khadija" not in results
    # The name column: the agent sees whose file each row is without opening it.
    assert "Fatima Zérouali" in results


def test_every_word_must_be_in_the_name(walk, salma):
    both = walk.register(name="Zahra Benali")
    walk.register(name="Zahra Alaoui")
    walk.register(name="Karim Benali")

    rows, _more = grievance_search(user=salma, term="benali zahra")

    assert rows == [both]


def test_a_short_word_is_a_whole_word_of_the_name(walk, salma):
    el_amrani = walk.register(name="Fatima El Amrani")
    walk.register(name="Fatima Belamrani")

    rows, _more = grievance_search(user=salma, term="amrani el")

    assert rows == [el_amrani]


def test_the_same_full_name_comes_before_the_names_that_contain_it(walk, salma):
    older = walk.register(name="Zahra Benali")
    containing = walk.register(name="Fatima Zahra Benali")
    newer = walk.register(name="BENALI ZAHRA")
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
    monkeypatch.setattr("grievances.views.search.SEARCH_LIMIT", 3)
    shared = [walk.register(name="Aicha Alaoui") for _ in range(4)]
    client.force_login(salma)

    page = _search(client, "aicha alaoui")

    assert [g.reference in page for g in shared] == [False, True, True, True]
    assert "Plus de 3 résultats" in page


def test_a_page_that_holds_every_match_does_not_say_there_are_more(client, walk, salma, monkeypatch):
    monkeypatch.setattr("grievances.views.search.SEARCH_LIMIT", 3)
    shared = [walk.register(name="Aicha Alaoui") for _ in range(3)]
    client.force_login(salma)

    page = _search(client, "alaoui aicha")

    assert all(g.reference in page for g in shared)
    assert "Plus de" not in page


def test_a_match_found_by_its_handle_is_listed_once(walk, salma):
    # A tracking code can be all letters, so the name tiers run after the handle tier.
    g = walk.register(name="Zahra Benali")
    rows, _more = grievance_search(user=salma, term=g.tracking_code)
    assert rows == [g]


def test_results_show_name_programme_category_status_due_date_and_assignee(client, walk, salma, youssef):
    g = walk.routed(name="Fatima Zerouali")
    wf.grievance_assign(grievance=g, actor=walk.head, assignee=youssef, unit=None)
    g.refresh_from_db()
    client.force_login(salma)

    results = _search(client, "zerouali")

    row = results.split("<tbody", 1)[1].split("</tr>", 1)[0]
    for shown in (
        g.reference,
        "Fatima Zerouali",
        "Tayssir",
        "Paiement non reçu",
        g.get_status_display(),
        g.current_due_on.strftime("%d/%m/%Y"),
        youssef.get_full_name() or youssef.username,
    ):
        assert shown in row, shown


# --- a reference or a tracking code opens its file ---------------------------------------------------------


@pytest.mark.parametrize("handle", ["reference", "reference_lower", "tracking_code", "tracking_code_spaced"])
def test_a_reference_or_a_tracking_code_opens_the_file(client, walk, salma, handle):
    g = walk.register(name="Zahra Benali")
    code = g.tracking_code
    term = {
        "reference": g.reference,
        "reference_lower": f" {g.reference.lower()} ",
        "tracking_code": code,
        "tracking_code_spaced": f"{code[:4]} {code[4:8]}-{code[8:]}",
    }[handle]
    client.force_login(salma)

    response = _post(client, term)

    assert response["Location"] == reverse("grievances:detail", args=[g.pk])


def test_a_reference_of_a_file_the_user_cannot_see_is_answered_like_one_that_does_not_exist(client, walk, rachid):
    g = walk.register(name="Zahra Benali")
    client.force_login(rachid)

    hidden = client.get(_results_url(client, g.reference))
    unknown = client.get(_results_url(client, "TAY-1999-999999"))

    assert reverse("grievances:detail", args=[g.pk]) not in hidden.content.decode()
    assert g.reference not in hidden.content.decode().split('id="search-results"', 1)[1]

    def shape(response) -> str:
        html = response.content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        html = re.sub(r"/reclamations/recherche/[\w-]+/", "/reclamations/recherche/TOKEN/", html)
        return html.replace(g.reference, "TERM").replace("TAY-1999-999999", "TERM")

    assert (hidden.status_code, shape(hidden)) == (unknown.status_code, shape(unknown))
    assert "Aucune réclamation trouvée" in hidden.content.decode()


def test_a_case_moved_to_the_gbv_referent_is_not_found_by_the_agent(client, walk, salma):
    g = walk.register(name="Zahra Benali")
    wf.grievance_flag_sensitive(grievance=g, actor=salma, details=SensitiveDetails(nature="Propos déplacés"))
    client.force_login(salma)
    for term in (g.reference, g.tracking_code, "AB100001", "zahra benali", "benali"):
        assert g.reference not in _search(client, term), term


# --- the results page: a GET keyed by a token ----------------------------------------------------------------


def test_back_to_the_results_is_a_get_that_runs_the_search_again(client, walk, salma):
    first = walk.register(name="Fatima Zerouali")
    client.force_login(salma)
    url = _results_url(client, "zerouali fatima")
    assert first.reference in client.get(url).content.decode()

    later = walk.register(name="Fatima Zerouali")
    again = client.get(url).content.decode()

    assert first.reference in again
    assert later.reference in again
    # The form is there again with the term, for a new search; it posts, it is not the URL.
    assert 'value="zerouali fatima"' in again


def test_the_results_page_answers_get_only(client, walk, salma):
    client.force_login(salma)
    url = _results_url(client, "fatima")
    assert client.post(url, {"q": "x"}).status_code == 405


def test_a_token_of_another_user_reads_as_an_expired_search(client, walk, salma, nadia):
    walk.register(name="Fatima Zerouali")
    client.force_login(salma)
    url = _results_url(client, "zerouali fatima")

    colleague = Client()
    colleague.force_login(nadia)
    page = colleague.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="search-expired"' in html
    assert "zerouali" not in html.lower()
    assert 'id="search-results"' not in html
    assert not PersonalDataAccess.objects.filter(user=nadia).exists()


def test_a_token_copied_into_another_session_of_the_same_user_reads_as_expired(client, walk, salma):
    walk.register(name="Fatima Zerouali")
    client.force_login(salma)
    url = _results_url(client, "zerouali fatima")

    other_session = Client()
    other_session.force_login(salma)

    assert 'id="search-expired"' in other_session.get(url).content.decode()


def test_an_expired_token_gives_the_empty_form_and_says_so(client, walk, salma, monkeypatch):
    walk.register(name="Fatima Zerouali")
    client.force_login(salma)
    monkeypatch.setattr("grievances.views.search.SEARCH_TTL_SECONDS", -1)
    url = _results_url(client, "zerouali fatima")

    page = client.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="search-expired"' in html
    assert 'value="zerouali fatima"' not in html
    assert 'id="search-results"' not in html


def test_an_unknown_token_is_not_an_error(client, salma):
    client.force_login(salma)
    page = client.get(reverse("grievances:search_results", args=["nimportequoi"]))
    assert page.status_code == 200
    assert 'id="search-expired"' in page.content.decode()


def test_a_session_keeps_a_bounded_number_of_searches(client, walk, salma, monkeypatch):
    monkeypatch.setattr("grievances.views.search.SEARCHES_KEPT", 3)
    client.force_login(salma)
    urls = [_results_url(client, f"nom{i}") for i in range(5)]
    assert len(client.session["grievance_searches"]) == 3
    assert 'id="search-expired"' in client.get(urls[0]).content.decode()
    assert 'id="search-expired"' not in client.get(urls[-1]).content.decode()


# --- no personal data in any URL -------------------------------------------------------------------------------


def _urls_of(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


@pytest.mark.parametrize("term", ["AB445566", "0661223344", "Fatima Zerouali", "zerouali"])
def test_no_cnie_phone_or_name_in_the_redirect_or_any_link_of_the_results(client, walk, salma, term):
    g = walk.register(name="Fatima Zerouali", cnie="AB445566", phone="0661223344")
    client.force_login(salma)

    location = _post(client, term)["Location"]
    page = client.get(location).content.decode()
    complainant = client.get(reverse("grievances:complainant", args=[g.pk])).content.decode()

    assert g.reference in page
    for html in (page, complainant):
        for url in [location, *_urls_of(html)]:
            for personal in (
                "AB445566",
                "445566",
                "0661223344",
                "661223344",
                "Fatima",
                "fatima",
                "Zerouali",
                "zerouali",
            ):
                assert personal not in url, (personal, url)


# --- bounded queries and the access log --------------------------------------------------------------------------


def test_the_results_page_costs_the_same_queries_for_one_match_or_many(client, walk, salma, youssef):
    walk.register(name="Rare Nom")
    for _ in range(8):
        g = walk.routed(name="Aicha Alaoui")
        wf.grievance_assign(grievance=g, actor=walk.head, assignee=youssef, unit=None)
    client.force_login(salma)

    def queries(term: str) -> int:
        url = _results_url(client, term)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries("nom rare") == queries("alaoui aicha")
    # A part of a name that is no full name: the page is filled from the last tier.
    assert queries("rare") == queries("alaoui")
    assert queries("alaoui") <= 10  # session, user, roles, scope, 3 tiers, the log line, the nav counts


def test_every_open_of_the_results_is_written_to_the_access_log(client, walk, salma):
    found = [walk.register(name="Aicha Alaoui") for _ in range(2)]
    client.force_login(salma)
    url = _results_url(client, "alaoui aicha")
    client.get(url)
    client.get(url)  # Back to the results: shown again, read again

    lines = list(PersonalDataAccess.objects.order_by("pk"))
    assert [(line.channel, line.where, line.grievance_ids) for line in lines] == [
        (AccessChannel.SEARCH, "grievances:search_results", sorted(g.pk for g in found))
    ] * 2


# --- the header's search box ---------------------------------------------------------------------------------


def test_the_header_has_a_search_box_posting_to_the_search_for_readers_of_grievances(client, walk, salma):
    g = walk.register()
    client.force_login(salma)
    for url in (
        reverse("home"),
        reverse("grievances:detail", args=[g.pk]),
        reverse("grievances:queue", args=["toutes"]),
    ):
        html = client.get(url).content.decode()
        form = html.split('id="header-search"', 1)[1].split("</form>", 1)[0]
        assert f'action="{URL}" method="post"' in html.split('id="header-search"', 1)[0].rsplit("<form", 1)[1]
        assert 'name="csrfmiddlewaretoken"' in form
        assert 'name="q"' in form


@pytest.mark.parametrize("persona", ["omar", "meryem"])
def test_no_search_box_for_those_who_read_no_grievance(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert 'id="header-search"' not in client.get(reverse("home")).content.decode()


# --- the complainant's page ------------------------------------------------------------------------------------


def _other_category():
    return ComplaintCategory.objects.get(programme__code="tayssir", code="inscription-rejetee")


@pytest.fixture
def amo_case(rachid):
    amo = Programme.objects.get(code="amo-tadamon")
    return grievance_register(
        actor=rachid,
        programme=amo,
        channel=Channel.objects.get(code="walk-in"),
        description="Immatriculation refusée",
        cnie="AB445566",
        name="Fatima Zerouali",
        category=ComplaintCategory.objects.get(programme=amo, code="eligibilite"),
    ).grievance


def test_the_complainant_page_lists_every_grievance_of_the_same_cnie_the_reader_sees(client, walk, salma, amo_case):
    first = walk.closed(name="Fatima Zerouali", cnie="AB445566")
    second = walk.register(name="F. Zerouali", cnie="AB445566", phone="0677000000")
    stranger = walk.register(name="Fatima Zerouali", cnie="CD000111")
    flagged = walk.sensitive(name="Fatima Zerouali", cnie="AB445566", category=_other_category())
    client.force_login(salma)

    response = client.get(reverse("grievances:complainant", args=[second.pk]))

    html = response.content.decode()
    listed = html.split('id="complainant-grievances"', 1)[1]
    assert response.status_code == 200
    assert first.reference in listed
    assert second.reference in listed
    assert first.get_status_display() in listed
    assert second.current_due_on.strftime("%d/%m/%Y") in listed
    # Another programme's file (AMO TADAMON, CNSS), another person, a case with the GBV referent: not here.
    assert amo_case.reference not in html
    assert stranger.reference not in html
    assert flagged.reference not in html


def test_without_a_cnie_the_complainant_is_found_by_phone(client, walk, salma):
    anchor = walk.register(name="Fatima Zerouali", cnie="", phone="0699887766")
    same_phone = walk.closed(name="Fatima Zerouali", cnie="", phone="0699887766")
    other_phone = walk.register(name="Fatima Zerouali", cnie="", phone="0611111111")
    client.force_login(salma)

    html = client.get(reverse("grievances:complainant", args=[anchor.pk])).content.decode()

    assert anchor.reference in html
    assert same_phone.reference in html
    assert other_phone.reference not in html


def test_the_complainant_page_of_a_file_the_reader_cannot_see_is_404(client, walk, rachid, omar):
    g = walk.register()
    client.force_login(rachid)
    assert client.get(reverse("grievances:complainant", args=[g.pk])).status_code == 404
    client.force_login(omar)
    assert client.get(reverse("grievances:complainant", args=[g.pk])).status_code == 403


def test_every_open_of_the_complainant_page_is_written_to_the_access_log(client, walk, salma):
    first = walk.closed(cnie="AB445566")
    second = walk.register(cnie="AB445566")
    client.force_login(salma)
    url = reverse("grievances:complainant", args=[second.pk])

    client.get(url)
    client.get(url)

    lines = list(PersonalDataAccess.objects.order_by("pk"))
    assert [(line.channel, line.where, line.grievance_ids) for line in lines] == [
        (AccessChannel.PAGE, "grievances:complainant", sorted([first.pk, second.pk]))
    ] * 2


def test_the_complainant_page_costs_the_same_queries_for_one_grievance_or_many(client, walk, salma, youssef):
    alone = walk.register(cnie="AB000001")
    many = []
    # Open cases of one person, each on its own subject: none is a duplicate of another.
    for category in ComplaintCategory.objects.filter(programme=walk.programme, needs_partner=False)[:4]:
        g = walk.routed(cnie="AB445566", category=category)
        wf.grievance_assign(grievance=g, actor=walk.head, assignee=youssef, unit=None)
        many.append(g)
    client.force_login(salma)

    def queries(g) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("grievances:complainant", args=[g.pk])).status_code == 200
        return len(captured)

    queries(alone)  # the session's first read of the roles and the queues
    assert queries(alone) == queries(many[0])
    assert queries(many[0]) <= 10


def test_the_complainant_page_is_linked_from_the_file_and_from_the_results(client, walk, salma):
    g = walk.register(name="Fatima Zerouali")
    anonymous = walk.register(name="", cnie="", phone="", is_anonymous=True)
    client.force_login(salma)
    link = f'href="{reverse("grievances:complainant", args=[g.pk])}"'

    assert link in client.get(reverse("grievances:detail", args=[g.pk])).content.decode()
    assert link in _search(client, "zerouali fatima")
    assert (
        'id="complainant-page-link"'
        not in client.get(reverse("grievances:detail", args=[anonymous.pk])).content.decode()
    )


@pytest.mark.django_db
def test_a_full_name_is_read_newest_first_from_one_index_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL index")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'grievance_name_received_idx'")
        (definition,) = cursor.fetchone()
    assert "(search_name, received_at, id)" in definition
