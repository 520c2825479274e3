"""The workflow screens seen through the test client: what each role sees and may do."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grievances.models import Grievance, SensitiveCase
from grievances.queues import QUEUES
from pmpp.models import Channel, Programme, Region
from tests.factories import intake_form_data

pytestmark = pytest.mark.django_db
S = Grievance.Status


def _steps(response) -> list[str]:
    return re.findall(r'data-step="(\w+)"', response.content.decode())


def test_each_role_sees_its_own_queues_with_counts_on_its_home_page(client, walk, salma, nadia, karim):
    walk.register()
    walk.answer_drafted()
    walk.answer_sent()
    client.force_login(salma)
    home = client.get(reverse("home")).content.decode()
    assert 'data-queue="a-qualifier"' in home
    assert 'data-queue="a-approuver"' not in home
    client.force_login(nadia)
    assert 'data-queue="a-approuver"' in client.get(reverse("home")).content.decode()
    client.force_login(karim)
    page = client.get(reverse("home")).content.decode()
    assert re.search(r'data-queue="a-cloturer">\s*<div class="card-body">\s*<div class="display-6">1<', page)


def test_home_page_shows_what_is_overdue(client, walk, salma):
    from datetime import timedelta

    from django.utils import timezone

    walk.register(channel=Channel.objects.get(code="postal"), received_at=timezone.now() - timedelta(days=15))
    client.force_login(salma)
    page = client.get(reverse("home")).content.decode()
    assert "En retard : <strong>1</strong>" in page


@pytest.mark.parametrize("queue", [q.slug for q in QUEUES if "agent" in q.roles])
def test_every_agent_queue_renders(client, walk, salma, queue):
    walk.register()
    client.force_login(salma)
    assert client.get(reverse("grievances:queue", args=[queue])).status_code == 200


def test_a_queue_of_another_role_is_not_found(client, salma):
    client.force_login(salma)
    assert client.get(reverse("grievances:queue", args=["a-cloturer"])).status_code == 404
    assert client.get(reverse("grievances:queue", args=["nimporte-quoi"])).status_code == 404


def test_queue_rows_show_reference_programme_category_dates_and_sla_colour(client, walk, salma):
    g = walk.register()
    client.force_login(salma)
    page = client.get(reverse("grievances:queue", args=["a-qualifier"])).content.decode()
    assert g.reference in page
    assert "TAY" in page
    assert "Paiement non reçu" in page
    assert g.due_on.strftime("%d/%m/%Y") in page
    assert "text-bg-success" in page


def test_queues_are_sorted_by_due_date_and_filtered(client, walk, salma):
    from datetime import timedelta

    from django.utils import timezone

    postal = Channel.objects.get(code="postal")
    late = walk.register(channel=postal, received_at=timezone.now() - timedelta(days=8))
    early = walk.register()
    client.force_login(salma)
    page = client.get(reverse("grievances:queue", args=["a-qualifier"])).content.decode()
    assert page.index(late.reference) < page.index(early.reference)
    filtered = client.get(reverse("grievances:queue", args=["a-qualifier"]), {"channel": postal.pk}).content.decode()
    assert late.reference in filtered
    assert early.reference not in filtered


def _queue_queries(client, rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("grievances:queue", args=["toutes"]), {"per_page": rows})
    assert response.status_code == 200
    return len(queries)


def test_a_queue_page_issues_the_same_queries_for_10_or_50_rows(client, walk, salma, youssef):
    for _ in range(12):
        walk.register()
    client.force_login(salma)
    ten = _queue_queries(client, 10)
    for _ in range(40):
        g = walk.register()
    g.assigned_to = youssef
    g.save()
    fifty = _queue_queries(client, 50)
    assert ten == fifty


def test_the_grievance_file_issues_the_same_queries_whatever_the_length_of_its_story(client, walk, salma, youssef):
    from datetime import timedelta

    from django.utils import timezone

    from grievances.services import workflow as wf

    short = walk.routed()
    long = walk.routed()
    soon = timezone.localdate() + timedelta(days=2)
    wf.commitment_give(grievance=short, actor=youssef, promised_on=soon)
    wf.commitment_give(grievance=long, actor=youssef, promised_on=soon)
    for _ in range(6):
        wf.commitment_break(grievance=long, actor=youssef, reason="Retard")
        wf.commitment_renew(grievance=long, actor=youssef, promised_on=soon, reason="Relance")
    assert long.history.count() > short.history.count() + 10
    client.force_login(salma)
    counts = []
    for g in (short, long):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("grievances:detail", args=[g.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_file_offers_only_the_steps_the_user_may_take_now(client, walk, salma, youssef, omar):
    g = walk.register()
    client.force_login(salma)
    assert set(_steps(client.get(reverse("grievances:detail", args=[g.pk])))) == {
        "qualify",
        "reclassify_as_request",
        "flag_sensitive",
    }
    client.force_login(youssef)
    assert _steps(client.get(reverse("grievances:detail", args=[g.pk]))) == []
    client.force_login(omar)
    assert client.get(reverse("grievances:detail", args=[g.pk])).status_code == 404


def test_a_step_form_asks_that_steps_data_and_the_page_then_shows_the_new_state(client, walk, salma):
    g = walk.qualified()
    client.force_login(salma)
    form = client.get(reverse("grievances:step", args=[g.pk, "analyse"])).content.decode()
    assert 'name="analysis_conclusion"' in form
    assert 'name="promised_on"' not in form
    response = client.post(
        reverse("grievances:step", args=[g.pk, "analyse"]),
        {"expected_status": "qualified", "analysis_conclusion": "Paiement rejeté", "outcome": "founded"},
        follow=True,
    )
    page = response.content.decode()
    assert "Étape enregistrée" in page
    assert '<span class="badge text-bg-primary fs-6" id="grievance-status">Analysée</span>' in page


def test_a_service_error_lands_on_the_field_it_names(client, walk, salma):
    g = walk.qualified()
    client.force_login(salma)
    response = client.post(
        reverse("grievances:step", args=[g.pk, "analyse"]),
        {"expected_status": "qualified", "analysis_conclusion": "Compte clôturé", "outcome": "unfounded"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unfounded_reason"] == [
        "Une réclamation non fondée doit indiquer son motif (§6.2.3)."
    ]


def test_a_case_moved_meanwhile_gives_a_clear_message_and_changes_nothing(client, walk, salma):
    g = walk.register()
    client.force_login(salma)
    stale_post = {
        "expected_status": "received",
        "category": walk.category.pk,
        "subject": "Paiement",
        "nature": "individual",
        "identity_verified": "on",
    }
    from grievances.services import workflow as wf

    wf.grievance_qualify(
        grievance=g, actor=salma, category=walk.category, subject="x", nature="individual", identity_verified=True
    )
    response = client.post(reverse("grievances:step", args=[g.pk, "qualify"]), stale_post, follow=True)
    assert response.status_code == 200
    assert "a changé entre-temps" in response.content.decode()
    assert g.history.count() == 2


def test_a_step_not_available_now_is_refused_politely(client, walk, karim):
    g = walk.qualified()
    client.force_login(karim)
    response = client.get(reverse("grievances:step", args=[g.pk, "close"]), follow=True)
    assert "n&#x27;est pas possible pour vous" in response.content.decode()


def test_an_invisible_grievance_is_a_404_on_every_screen(client, walk, rachid):
    g = walk.register()
    client.force_login(rachid)
    assert client.get(reverse("grievances:detail", args=[g.pk])).status_code == 404
    assert client.get(reverse("grievances:step", args=[g.pk, "qualify"])).status_code == 404


def _intake(client, **overrides):
    return client.post(reverse("grievances:intake"), intake_form_data(**overrides))


def test_intake_registers_and_shows_the_reference_once(client, salma):
    client.force_login(salma)
    response = _intake(client)
    assert response.status_code == 302
    receipt = client.get(response["Location"]).content.decode()
    g = Grievance.objects.get()
    assert g.reference in receipt
    assert g.tracking_code in receipt
    assert client.get(reverse("grievances:receipt")).status_code == 302  # shown once


def test_intake_warns_of_a_duplicate_before_saving(client, walk, salma):
    original = walk.register(cnie="AB123456")
    client.force_login(salma)
    response = _intake(client)
    assert response.status_code == 200
    assert original.reference in response.content.decode()
    assert Grievance.objects.count() == 1
    confirmed = _intake(client, duplicate_action="link")
    assert confirmed.status_code == 302
    assert Grievance.objects.latest("pk").status == S.DUPLICATE


def test_intake_opens_a_second_case_with_a_reason(client, walk, salma):
    walk.register(cnie="AB123456")
    client.force_login(salma)
    _intake(client, duplicate_override_reason="Deuxième enfant", duplicate_action="separate")
    assert Grievance.objects.latest("pk").status == S.RECEIVED


def test_a_sensitive_intake_keeps_no_identity_even_if_typed(client, salma):
    client.force_login(salma)
    response = _intake(client, sensitive="on", nature="Un agent a exigé une faveur", perpetrator_linked="yes")
    assert response.status_code == 302
    assert not Grievance.objects.exists()
    case = SensitiveCase.objects.get()
    assert "AB123456" not in str(case.__dict__)
    assert "Fatima" not in str(case.__dict__)
    receipt = client.get(response["Location"]).content.decode()
    assert case.reference in receipt


def test_intake_is_refused_to_roles_that_do_not_register(client, omar):
    client.force_login(omar)
    assert client.get(reverse("grievances:intake")).status_code == 403


@pytest.mark.parametrize(
    "term",
    ["reference", "tracking_code", "cnie", "phone", "name_without_accents", "name_upper"],
)
def test_search_finds_by_every_handle_within_visibility(client, walk, salma, rachid, term):
    g = walk.register(name="Zahrâ Benaïssa", cnie="AB123456", phone="0661223344")
    terms = {
        "reference": g.reference.lower(),
        "tracking_code": g.tracking_code,
        "cnie": "ab 123456",
        "phone": "06 61 22 33 44",
        "name_without_accents": "zahra benaissa",
        "name_upper": "BENAÏSSA",
    }
    client.force_login(salma)
    found = client.post(reverse("grievances:search"), {"q": terms[term]}, follow=True)
    assert g.reference in found.content.decode()
    client.force_login(rachid)
    hidden = client.post(reverse("grievances:search"), {"q": terms[term]}, follow=True)
    assert g.reference not in hidden.content.decode()


def test_search_terms_never_travel_in_the_url(client, salma):
    client.force_login(salma)
    page = client.get(reverse("grievances:search")).content.decode()
    assert '<form method="post"' in page


def test_bulk_assignment_from_a_queue(client, walk, salma, nadia, youssef):
    first, second = walk.register(), walk.register()
    client.force_login(nadia)
    response = client.post(
        reverse("grievances:assign"),
        {"selection": [first.pk, second.pk], "assignee": salma.pk, "next": "/"},
        follow=True,
    )
    assert "2 réclamation(s) attribuée(s)" in response.content.decode()
    assert set(Grievance.objects.values_list("assigned_to", flat=True)) == {salma.pk}
    assert first.history.latest("history_id").history_change_reason.startswith("Attribution")


def test_assigning_to_someone_without_access_is_refused(client, walk, nadia, rachid):
    g = walk.register()
    client.force_login(nadia)
    response = client.post(reverse("grievances:assign"), {"selection": [g.pk], "assignee": rachid.pk}, follow=True)
    assert "n&#x27;a pas accès à ce programme" in response.content.decode()
    g.refresh_from_db()
    assert g.assigned_to is None


def test_exports_are_within_visibility_with_a_bom_and_neutralised_cells(client, walk, salma, rachid):
    g = walk.register()
    client.force_login(salma)
    response = client.get(reverse("grievances:queue_export", args=["toutes", "csv"]))
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    assert g.reference.encode() in content
    assert b"AB" not in content.split(b"\n", 1)[1] or g.complainant_cnie.encode() not in content
    client.force_login(rachid)
    other = b"".join(client.get(reverse("grievances:queue_export", args=["toutes", "csv"])).streaming_content)
    assert g.reference.encode() not in other
    xlsx = client.get(reverse("grievances:queue_export", args=["toutes", "xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_an_export_neutralises_a_formula_typed_in_a_field(client, walk, salma, tayssir):
    region = Region.objects.get(code="01")
    region.name = '=HYPERLINK("http://evil")'
    region.save()
    walk.register(region=region)
    client.force_login(salma)
    content = b"".join(client.get(reverse("grievances:queue_export", args=["toutes", "csv"])).streaming_content)
    assert b"'=HYPERLINK" in content


def test_the_navigation_shows_queue_counts(client, walk, salma):
    walk.register()
    walk.register()
    client.force_login(salma)
    page = client.get(reverse("home")).content.decode()
    assert re.search(r"À qualifier</span><span class=\"badge rounded-pill text-bg-secondary\">2<", page)


def test_queue_counts_stop_counting_past_the_cap_and_say_so(walk, salma, rachid):
    from grievances.queues import QUEUES_BY_SLUG, count_label, queue_counts

    for _ in range(4):
        walk.register()
    walk.analysed()
    queues = [QUEUES_BY_SLUG[slug] for slug in ("a-qualifier", "a-analyser", "toutes")]
    assert queue_counts(user=salma, queues=queues) == {"a-qualifier": 4, "a-analyser": 0, "toutes": 5}
    capped = queue_counts(user=salma, queues=queues, cap=3)
    assert capped == {"a-qualifier": 4, "a-analyser": 0, "toutes": 4}  # « more than 3 »
    assert count_label(capped["toutes"], cap=3) == "3+"
    assert count_label(2, cap=3) == "2"
    assert count_label(1500) == "1\xa0000+"  # French grouping: a no-break space
    # Still within the user's visibility: CNSS's agent sees none of CNRA's Tayssir cases.
    assert queue_counts(user=rachid, queues=queues) == {"a-qualifier": 0, "a-analyser": 0, "toutes": 0}


def test_the_overdue_commitments_count_adds_broken_and_due_ones_and_stays_capped(walk, salma, youssef):
    # Counted as two parts (broken; committed with a pending commitment due), summed, capped.
    from grievances.models import Commitment
    from grievances.queues import QUEUES_BY_SLUG, queue_counts
    from grievances.selectors import grievance_queue_for_user

    walk.commitment_broken()
    walk.commitment_broken()
    due, _not_yet_due = walk.committed(), walk.committed()
    Commitment.objects.filter(grievance=due).update(promised_on=timezone.localdate() - timedelta(days=1))
    queue = QUEUES_BY_SLUG["engagements-echus"]
    listed = grievance_queue_for_user(user=youssef, queue=queue, today=timezone.localdate())

    assert queue_counts(user=youssef, queues=[queue]) == {"engagements-echus": 3} == {queue.slug: listed.count()}
    assert queue_counts(user=youssef, queues=[queue], cap=2) == {"engagements-echus": 3}  # « 2+ »
    assert queue_counts(user=youssef, queues=[queue], cap=1) == {"engagements-echus": 2}  # « 1+ », not 4


@pytest.mark.parametrize("filtered", [False, True])
def test_the_bulk_count_of_a_queue_in_parts_is_the_number_of_its_rows(client, walk, nadia, filtered):
    # Counted part by part (broken; committed and due), each in its own index range (issue 19).
    from grievances.models import Commitment

    walk.commitment_broken()
    walk.commitment_broken(cnie="ZB112233")
    due, _not_yet_due = walk.committed(), walk.committed()
    Commitment.objects.filter(grievance=due).update(promised_on=timezone.localdate() - timedelta(days=1))
    client.force_login(nadia)
    query = {"status": "commitment_broken"} if filtered else {}

    page = client.get(reverse("grievances:queue", args=["engagements-echus"]), query)

    assert page.context["bulk_actions"]
    assert page.context["bulk_matching"] == len(page.context["page"].rows) == (2 if filtered else 3)
    assert not page.context["bulk_capped"]


@pytest.mark.parametrize("filtered", [False, True])
def test_an_unfiltered_queue_takes_its_bulk_count_from_the_navigation(client, walk, salma, filtered):
    # The navigation counts every queue on every page: unfiltered, « toutes » is that same
    # count, not a second count of the same rows (issue 19). Filtered, the rows are counted.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    walk.register()
    walk.register()
    walk.qualified()
    client.force_login(salma)
    query = {"channel": walk.channel.pk} if filtered else {}

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("grievances:queue", args=["a-qualifier"]), query)

    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT (SELECT COUNT(*)")]
    navigation = next(q for q in page.context["nav_queues"] if q["slug"] == "a-qualifier")
    assert page.context["bulk_matching"] == len(page.context["page"].rows) == navigation["count"] == 2
    assert len(counts) == (2 if filtered else 1)


def test_the_file_reads_right_to_left_in_arabic(client, walk, salma):
    g = walk.register()
    client.force_login(salma)
    client.cookies["django_language"] = "ar"
    page = client.get(reverse("grievances:detail", args=[g.pk])).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert g.reference in page


def test_the_gbv_referent_lists_and_refers_sensitive_cases(client, walk, meryem, salma):
    from datetime import timedelta

    from django.utils import timezone

    from grievances.services.intake import SensitiveDetails

    g = walk.sensitive(
        channel=Channel.objects.get(code="postal"),
        received_at=timezone.now() - timedelta(hours=3),
        details=SensitiveDetails(nature="Propos déplacés", consent_to_refer=True),
    )
    case = SensitiveCase.objects.get(source_grievance=g)
    client.force_login(meryem)
    assert case.reference in client.get(reverse("grievances:sensitive_list")).content.decode()
    response = client.post(
        reverse("grievances:sensitive_detail", args=[case.pk]),
        {"action": "refer", "service_provider": "Centre d'écoute", "referred_at": ""},
    )
    assert response.status_code == 200  # referred_at is required: the form says so
    response = client.post(
        reverse("grievances:sensitive_detail", args=[case.pk]),
        {
            "action": "refer",
            "service_provider": "Centre d'écoute",
            "referred_at": (timezone.localtime(case.received_at) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == SensitiveCase.Status.REFERRED
    client.force_login(salma)
    assert client.get(reverse("grievances:sensitive_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("grievances:sensitive_list")).status_code == 404


def test_the_referents_home_page_says_how_many_cases_wait_for_referral(client, walk, meryem):
    from datetime import timedelta

    from django.utils import timezone

    walk.sensitive(channel=Channel.objects.get(code="postal"), received_at=timezone.now() - timedelta(hours=30))
    walk.sensitive()
    client.force_login(meryem)
    page = client.get(reverse("home")).content.decode()
    assert "Cas sensibles à orienter : 2, dont 1 au-delà du délai d" in page


def test_steps_are_offered_in_the_order_of_the_workflow(client, walk, salma):
    g = walk.register()
    client.force_login(salma)
    assert _steps(client.get(reverse("grievances:detail", args=[g.pk]))) == [
        "qualify",
        "reclassify_as_request",
        "flag_sensitive",
    ]


def test_a_grievance_is_assigned_from_its_file(client, walk, salma, youssef):
    g = walk.register()
    client.force_login(salma)
    page = client.get(reverse("grievances:detail", args=[g.pk])).content.decode()
    assert 'id="assign-form"' in page
    detail = reverse("grievances:detail", args=[g.pk])
    response = client.post(reverse("grievances:assign"), {"selection": g.pk, "assignee": youssef.pk, "next": detail})
    assert response["Location"] == detail
    g.refresh_from_db()
    assert g.assigned_to == youssef


@pytest.mark.django_db
def test_name_search_has_a_trigram_index_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL index")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'grievance_search_name_trgm_idx'")
        (definition,) = cursor.fetchone()
    assert "gin (search_name gin_trgm_ops)" in definition


def test_the_queue_and_assignment_selects_read_their_choices_in_one_plain_query_each(walk, salma, youssef):
    # On PostgreSQL Django's own iterator opens a server-side cursor per <select> (DECLARE,
    # FETCH, CLOSE): three round trips for a few dozen options, on every queue page.
    from grievances.filters import GrievanceFilter
    from grievances.forms import AssignForm

    walk.register()
    filters = GrievanceFilter({}, queryset=Grievance.objects.all()).form
    assign = AssignForm()
    with CaptureQueriesContext(connection) as queries:
        rendered = {name: str(filters[name]) for name in ("programme", "channel", "category", "region")}
        rendered |= {f"assign-{name}": str(assign[name]) for name in ("assignee", "unit")}

    assert len(queries) == 6
    assert not [q["sql"] for q in queries.captured_queries if "DECLARE" in q["sql"].upper()]
    options = {name: re.findall(r'<option value="([^"]*)"', html) for name, html in rendered.items()}
    assert options["programme"] == ["", *(str(pk) for pk in Programme.objects.values_list("pk", flat=True))]
    assert options["region"] == ["", *(str(pk) for pk in Region.objects.values_list("pk", flat=True))]
    assert options["assign-assignee"][0] == ""
    assert str(youssef.pk) in options["assign-assignee"]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a PostgreSQL planner setting")
def test_the_file_query_is_planned_in_written_join_order_and_the_setting_does_not_outlive_it(walk, salma, rachid):
    # Planning the twelve-table file query took 12 ms at 1M grievances; running it, under 1.
    from django.http import Http404

    from grievances.selectors import grievance_file_for_user

    def join_collapse_limit(raw=None) -> str:
        with (raw or connection).cursor() as cursor:
            cursor.execute("SHOW join_collapse_limit")
            return cursor.fetchone()[0]

    default = join_collapse_limit()
    g = walk.register()
    planned_with = []

    def spy(execute, sql, params, many, context):
        if sql.startswith("SELECT") and '"grievances_grievance"."id" =' in sql:
            planned_with.append(join_collapse_limit(context["connection"].connection))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        assert grievance_file_for_user(user=salma, pk=g.pk) == g
    assert planned_with == ["1"]
    assert join_collapse_limit() == default  # put back inside the test's own transaction
    with pytest.raises(Http404):
        grievance_file_for_user(user=rachid, pk=g.pk)  # another organisation's agent
    assert join_collapse_limit() == default
