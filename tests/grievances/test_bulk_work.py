"""Bulk work on a queue (issue 18, item 8): select, choose by name, confirm, read each case's result.

Walked with the test client, without JavaScript: the page's plain checkboxes and buttons.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grievances.models import BulkRun, Grievance
from grievances.services import bulk_work
from grievances.views import bulk as bulk_views
from pmpp.models import Channel, ComplaintCategory, Membership, Programme
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def start(client, slug="toutes", *, action="assign", selection=None, query=""):
    data = {"action": action, "query": query}
    if selection is None:
        data["scope"] = "all"
    else:
        data |= {"scope": "selection", "selection": [g.pk for g in selection]}
    response = client.post(reverse("grievances:bulk_start", args=[slug]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    run = BulkRun.objects.latest("pk")
    assert response["Location"] == reverse("grievances:bulk_prepare", args=[run.token])
    return run


def options(html: str, name: str) -> dict[str, str]:
    """value → label of a <select name=…> of the page."""
    start_at = html.index(f'name="{name}"')
    select = html[start_at : html.index("</select>", start_at)]
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def daam_case(walk):
    daam = Programme.objects.get(code="daam")
    return walk.register(programme=daam, category=ComplaintCategory.objects.filter(programme=daam).first())


def test_a_head_assigns_a_whole_queue_by_name_and_the_closed_case_is_refused_with_its_reason(
    client, walk, nadia, salma
):
    open_cases = [walk.register(), walk.qualified(), walk.analysed()]
    closed = walk.closed()
    client.force_login(nadia)
    queue = client.get(reverse("grievances:queue", args=["toutes"])).content.decode()
    assert 'id="bulk-form"' in queue
    assert "Tous les dossiers de la file (4)" in queue

    run = start(client)
    prepare = client.get(reverse("grievances:bulk_prepare", args=[run.token])).content.decode()
    assert "4 dossiers sélectionnés" in prepare
    assert "1 dossier sélectionné est déjà sorti du circuit" in prepare
    assert options(prepare, "assignee")[str(salma.pk)] == salma.get_full_name()

    response = client.post(reverse("grievances:bulk_prepare", args=[run.token]), {"assignee": salma.pk})
    assert response["Location"] == reverse("grievances:bulk_confirm", args=[run.token])
    confirm = client.get(response["Location"]).content.decode()
    assert f"4 dossiers seront attribués à {salma.get_full_name()}." in confirm
    assert not Grievance.objects.filter(assigned_to=salma).exists()  # nothing before the confirmation

    response = client.post(reverse("grievances:bulk_confirm", args=[run.token]))
    assert response["Location"] == reverse("grievances:bulk_result", args=[run.token])
    result = client.get(response["Location"]).content.decode()

    assert set(Grievance.objects.filter(assigned_to=salma)) == set(open_cases)
    assert "3 effectués" in result
    assert "1 refusé" in result
    refused = result[result.index('id="bulk-refused"') :]
    assert f'data-reference="{closed.reference}"' in refused
    assert f"La réclamation {closed.reference} est close : elle ne peut plus être attribuée." in refused
    for g in open_cases:
        assert g.reference in result[result.index('id="bulk-done"') :]
        assert g.history.latest("history_id").history_change_reason == f"Attribution — agent : {salma.get_full_name()}"
    # References and reasons only: no complainant's name or number on the page.
    for personal in (closed.complainant_name, closed.complainant_cnie, closed.complainant_phone):
        assert personal not in result


def test_the_picker_offers_by_full_name_only_who_can_take_every_selected_case(
    client, walk, nadia, salma, youssef, rachid
):
    tayssir_case, daam = walk.register(), daam_case(walk)
    client.force_login(nadia)

    only_tayssir = start(client, selection=[tayssir_case])
    offered = options(
        client.get(reverse("grievances:bulk_prepare", args=[only_tayssir.token])).content.decode(), "assignee"
    )
    assert offered[str(youssef.pk)] == youssef.get_full_name()
    assert str(rachid.pk) not in offered
    assert "youssef" not in offered.values()

    both = start(client, selection=[tayssir_case, daam])
    offered = options(client.get(reverse("grievances:bulk_prepare", args=[both.token])).content.decode(), "assignee")
    # Youssef works on Tayssir only: he cannot take the DAAM case, so he is not offered for both.
    assert str(youssef.pk) not in offered
    assert offered[str(salma.pk)] == salma.get_full_name()

    response = client.post(reverse("grievances:bulk_prepare", args=[both.token]), {"assignee": youssef.pk})
    assert response.status_code == 200  # refused on the field: nothing chosen, nothing changed
    assert BulkRun.objects.get(pk=both.pk).stage == BulkRun.Stage.CHOOSING


def test_each_case_is_checked_again_when_the_run_goes(client, walk, nadia, salma):
    """Between the choice and the confirmation salma left DAAM: that case is refused, by the rule
    of a single assignment, with its reason; the others are done."""
    tayssir_case, daam = walk.register(), daam_case(walk)
    client.force_login(nadia)
    run = start(client, selection=[tayssir_case, daam])
    client.post(reverse("grievances:bulk_prepare", args=[run.token]), {"assignee": salma.pk})

    Membership.objects.filter(user=salma, programme__code="daam").delete()
    client.post(reverse("grievances:bulk_confirm", args=[run.token]))

    run.refresh_from_db()
    by_reference = {row["reference"]: row for row in run.results}
    assert by_reference[tayssir_case.reference]["done"] is True
    assert by_reference[daam.reference] == {
        "id": daam.pk,
        "reference": daam.reference,
        "done": False,
        "message": f"{salma.get_full_name()} n'a pas accès à ce programme.",
    }
    assert Grievance.objects.get(pk=daam.pk).assigned_to is None


def test_a_bulk_step_refuses_the_case_whose_state_or_category_does_not_allow_it(client, walk, salma):
    massar = walk.qualified(category=walk.massar())
    payment = walk.qualified()
    client.force_login(salma)
    queue = client.get(reverse("grievances:queue", args=["a-analyser"])).content.decode()
    assert 'value="transmit_to_partner"' in queue

    run = start(client, "a-analyser", action="transmit_to_partner", selection=[massar, payment])
    client.post(reverse("grievances:bulk_prepare", args=[run.token]), {"comment": "Lot MASSAR du jour"})
    confirm = client.get(reverse("grievances:bulk_confirm", args=[run.token])).content.decode()
    assert "L'étape « Transmettre à l&#x27;organisme partenaire » sera effectuée sur 2 dossiers." in confirm
    client.post(reverse("grievances:bulk_confirm", args=[run.token]))

    assert Grievance.objects.get(pk=massar.pk).status == Grievance.Status.AT_PARTNER
    assert Grievance.objects.get(pk=payment.pk).status == Grievance.Status.QUALIFIED
    run.refresh_from_db()
    refused = [row for row in run.results if not row["done"]]
    assert refused == [
        {
            "id": payment.pk,
            "reference": payment.reference,
            "done": False,
            "message": "La catégorie de cette réclamation ne nécessite pas d'organisme partenaire.",
        }
    ]
    assert Grievance.objects.get(pk=massar.pk).history.latest("history_id").history_change_reason == (
        "Transmettre à l'organisme partenaire — Lot MASSAR du jour"
    )


def test_a_ticked_case_outside_the_queue_or_the_user_s_programmes_is_dropped(client, walk, nadia, rachid):
    mine = walk.register()
    amo = Programme.objects.get(code="amo-tadamon")
    theirs = walk.register(
        actor=rachid, programme=amo, category=ComplaintCategory.objects.filter(programme=amo).first()
    )
    client.force_login(nadia)

    run = start(client, selection=[mine, theirs])

    assert run.grievance_ids == [mine.pk]


def test_all_matching_follows_the_filters_and_is_capped_with_the_cap_said(client, walk, nadia, monkeypatch):
    monkeypatch.setattr(bulk_work, "BULK_CAP", 3)
    monkeypatch.setattr(bulk_views, "BULK_CAP", 3)
    postal = Channel.objects.get(code="postal")
    by_post = [walk.register(channel=postal) for _ in range(2)]
    for _ in range(4):
        walk.register()
    client.force_login(nadia)

    page = client.get(reverse("grievances:queue", args=["toutes"])).content.decode()
    assert "Les 3 premiers dossiers de la file" in page
    assert "Plus de 3 dossiers correspondent à cette file et à ses filtres" in page
    capped = start(client)
    assert (capped.count, capped.capped) == (3, True)
    prepare = client.get(reverse("grievances:bulk_prepare", args=[capped.token])).content.decode()
    assert "seuls les 3 premiers, dans l'ordre de la file, font partie du lot" in prepare

    filtered_page = client.get(reverse("grievances:queue", args=["toutes"]), {"channel": postal.pk}).content.decode()
    assert "Tous les dossiers de la file (2)" in filtered_page
    filtered = start(client, query=f"channel={postal.pk}&cursor=abc")
    assert sorted(filtered.grievance_ids) == sorted(g.pk for g in by_post)
    assert filtered.capped is False


def test_a_confirmed_run_runs_once(client, walk, nadia, salma):
    g = walk.register()
    client.force_login(nadia)
    run = start(client, selection=[g])
    client.post(reverse("grievances:bulk_prepare", args=[run.token]), {"assignee": salma.pk})
    client.post(reverse("grievances:bulk_confirm", args=[run.token]))
    rows = g.history.count()

    again = client.post(reverse("grievances:bulk_confirm", args=[run.token]), follow=True)

    assert again.redirect_chain[-1][0] == reverse("grievances:bulk_result", args=[run.token])
    assert g.history.count() == rows
    assert len(BulkRun.objects.get(pk=run.pk).results) == 1


def test_a_run_opens_for_its_owner_only(client, walk, nadia, salma):
    g = walk.register()
    client.force_login(nadia)
    run = start(client, selection=[g])
    other_head = UserFactory(username="hanane", role="head_beneficiary_services", scopes=[("cdg-cnra", "tayssir")])
    client.force_login(other_head)

    for name in ("grievances:bulk_prepare", "grievances:bulk_confirm", "grievances:bulk_result"):
        assert client.get(reverse(name, args=[run.token])).status_code == 404
    assert client.post(reverse("grievances:bulk_confirm", args=[run.token])).status_code == 404
    assert Grievance.objects.get(pk=g.pk).assigned_to is None


def test_who_takes_no_bulk_action_gets_no_bulk_form_and_cannot_start_one(client, walk, youssef):
    g = walk.register()
    client.force_login(youssef)

    page = client.get(reverse("grievances:queue", args=["toutes"])).content.decode()

    assert 'id="bulk-form"' not in page
    assert 'name="selection"' not in page
    response = client.post(
        reverse("grievances:bulk_start", args=["toutes"]),
        {"action": "assign", "scope": "selection", "selection": [g.pk]},
    )
    assert response.status_code == 403
    assert not BulkRun.objects.exists()


def test_an_action_the_user_may_not_take_is_refused(client, walk, nadia):
    g = walk.answer_approved()
    client.force_login(nadia)  # the head approves answers; agents send them
    response = client.post(
        reverse("grievances:bulk_start", args=["toutes"]),
        {"action": "send_answer", "scope": "selection", "selection": [g.pk]},
    )
    assert response.status_code == 403


def _queries(client, url: str, method: str = "get") -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url)
    assert response.status_code in (200, 302)
    return len(queries)


def _ran(client, cases, assignee) -> BulkRun:
    run = start(client, selection=cases)
    client.post(reverse("grievances:bulk_prepare", args=[run.token]), {"assignee": assignee.pk})
    return run


def test_the_bulk_pages_read_the_same_queries_for_2_or_20_cases(client, walk, nadia, salma):
    client.force_login(nadia)
    small = _ran(client, [walk.register(), walk.closed()], salma)
    large = _ran(client, [walk.register() for _ in range(19)] + [walk.closed()], salma)
    counts = {}
    for name, run in (("small", small), ("large", large)):
        counts[name] = [
            _queries(client, reverse("grievances:bulk_prepare", args=[run.token])),
            _queries(client, reverse("grievances:bulk_confirm", args=[run.token])),
        ]
        client.post(reverse("grievances:bulk_confirm", args=[run.token]))
        counts[name].append(_queries(client, reverse("grievances:bulk_result", args=[run.token])))
    assert counts["small"] == counts["large"]
    assert max(counts["large"]) <= 15


def test_the_queue_page_with_select_all_reads_the_same_queries_for_10_or_50_rows(client, walk, nadia):
    for _ in range(12):
        walk.register()
    client.force_login(nadia)

    def queue(rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("grievances:queue", args=["toutes"]), {"per_page": rows}).content.decode()
        assert "data-select-all" in page
        return len(queries)

    ten = queue(10)
    for _ in range(40):
        walk.register()
    assert queue(50) == ten


def test_the_file_s_assignment_picker_shows_full_names_of_who_can_take_it(client, walk, salma, youssef, rachid):
    g = walk.register()
    client.force_login(salma)

    page = client.get(reverse("grievances:detail", args=[g.pk])).content.decode()

    offered = options(page[page.index('id="assign-form"') :], "assignee")
    assert offered[str(youssef.pk)] == youssef.get_full_name()
    assert str(rachid.pk) not in offered


def test_the_routing_step_offers_handlers_by_name_and_only_those_of_the_programme(client, walk, salma, youssef):
    amo_handler = UserFactory(username="h-amo", role="case_handler", scopes=[("cnss", "amo-tadamon")])
    g = walk.analysed()
    client.force_login(salma)

    page = client.get(reverse("grievances:step", args=[g.pk, "route_to_unit"])).content.decode()

    offered = options(page, "assignee")
    assert offered[str(youssef.pk)] == youssef.get_full_name()
    assert str(amo_handler.pk) not in offered


def test_a_run_stopped_by_an_unexpected_error_keeps_what_was_done_and_lists_the_rest(walk, nadia, salma, monkeypatch):
    cases = [walk.register() for _ in range(3)]
    run = bulk_work.bulk_run_start(
        actor=nadia, queue_slug="toutes", action="assign", rows=Grievance.objects.visible_to(nadia), selection=None
    )
    bulk_work.bulk_run_choose(run=run, actor=nadia, assignee=salma)
    real_assign = bulk_work.wf.grievance_assign
    calls = []

    def failing_on_the_second(**kwargs):
        calls.append(kwargs["grievance"].pk)
        if len(calls) == 2:
            raise RuntimeError("la base de données ne répond plus")
        return real_assign(**kwargs)

    monkeypatch.setattr(bulk_work.wf, "grievance_assign", failing_on_the_second)

    with pytest.raises(RuntimeError):
        bulk_work.bulk_run_execute(run=run, actor=nadia)

    run.refresh_from_db()
    assert run.stage == BulkRun.Stage.DONE
    assert [row["done"] for row in run.results] == [True, False, False]
    assert [row["reference"] for row in run.results] == [
        g.reference for g in sorted(cases, key=lambda g: (g.current_due_on, g.pk))
    ]
    assert run.results[1]["message"] == bulk_work.NOT_REACHED
