"""Issue 20, must-hold 1: axe-core finds no serious or critical WCAG 2.2 A/AA violation on any
main page, in French and in Arabic, at 1366×768.

Each persona opens the pages of their working day: queues (one or more per role), a grievance
file, every step form, intake, search and its results, the complainant's page, the dashboard,
the semester reports, the stakeholder registry, a consultation and its form, the admin index,
and, without an account, the sign-in page, the public complaint form, tracking and statistics.

axe-core is vendored from the npm registry into tests/browser/vendor (scripts/vendor-static.sh),
outside static/: it is injected by the test into each page it checks and never served to users.
It goes in as an init script, which the Content-Security-Policy does not see (an inline
<script> added to the page would be refused, as it should be).

One test per language walks every journey: the data set is built through the services once
for it (a live-server test gets a fresh database, so a module-scoped set cannot outlive the first
test), and each persona signs in by a session cookie. The failure lists every serious or critical
violation of every page (rule, impact, selectors), then the moderate and minor ones.
"""

import json
import random
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page

from grievances.demo import STATE_PATHS, _step
from grievances.services.intake import grievance_register
from pmpp.models import Channel, ComplaintCategory, Programme, UnfoundedReason, Unit
from reporting.services import semester_report_start
from tests.stakeholders.builders import make_activity, make_stakeholder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}

# The grievances the pages open, by the state they stand in (paths of grievances.demo).
STATES = [
    "received",
    "qualified",
    "analysed",
    "routed",
    "committed",
    "answer_drafted",
    "answer_approved",
    "answer_sent",
    "closed",
    "appealed",
]


def search_results(page: Page, base: str, data: dict) -> str:
    """The results of a search by family name (a POST: the term never goes in the URL)."""
    page.goto(f"{base}/reclamations/recherche/")
    page.locator("main input[name=q]").fill("Benali")
    page.locator("main form[role=search] button[type=submit]").click()
    page.locator("#search-results").wait_for()
    return "/reclamations/recherche/<résultats>/"


def tracked_grievance(page: Page, base: str, data: dict) -> str:
    """What a complainant sees once their tracking code and phone are checked."""
    page.goto(f"{base}/suivre-ma-reclamation/")
    page.locator("input[name=tracking_code]").fill(data["tracking_code"])
    page.locator("input[name=identity]").fill(data["tracking_phone"])
    page.locator("main button[type=submit]").click()
    page.locator("#tracked-reference").wait_for()
    return "/suivre-ma-reclamation/dossier/"


# Who opens what. "{state}" stands for the id of the grievance in that state.
JOURNEYS = {
    "agent": (
        "salma",
        [
            "/",
            "/reclamations/files/a-qualifier/",
            "/reclamations/files/a-analyser/",
            "/reclamations/files/a-repondre/",
            "/reclamations/files/a-envoyer/",
            "/reclamations/files/en-retard/",
            "/reclamations/files/toutes/",
            "/reclamations/{received}/",
            "/reclamations/{closed}/",
            "/reclamations/{received}/etapes/qualify/",
            "/reclamations/{received}/etapes/reclassify_as_request/",
            "/reclamations/{received}/etapes/flag_sensitive/",
            "/reclamations/{qualified}/etapes/analyse/",
            "/reclamations/{analysed}/etapes/route_to_unit/",
            "/reclamations/{analysed}/etapes/draft_answer/",
            "/reclamations/{answer_approved}/etapes/send_answer/",
            "/reclamations/{closed}/etapes/appeal/",
            "/reclamations/{received}/reclamant/",
            "/reclamations/nouvelle/",
            "/reclamations/recherche/",
            search_results,
        ],
    ),
    "case_handler": (
        "youssef",
        [
            "/reclamations/files/attente-engagement/",
            "/reclamations/{routed}/etapes/give_commitment/",
            "/reclamations/{committed}/etapes/honour_commitment/",
            "/reclamations/{committed}/etapes/break_commitment/",
        ],
    ),
    "head_of_service": (
        "nadia",
        [
            "/reclamations/files/a-approuver/",
            "/reclamations/files/recours/",
            "/reclamations/{answer_drafted}/etapes/approve_answer/",
            "/reclamations/{answer_drafted}/etapes/reject_answer/",
            "/reclamations/{appealed}/etapes/review_appeal/",
        ],
    ),
    "closing_officer": (
        "karim",
        [
            "/reclamations/files/a-cloturer/",
            "/reclamations/{answer_sent}/etapes/close/",
        ],
    ),
    "focal_point": (
        "leila",
        [
            "/rapports/tableau-de-bord/",
            "/rapports/semestriels/",
            "/rapports/semestriels/nouveau/",
            "/rapports/semestriels/{report}/",
            "/rapports/semestriels/{report}/approuver/",
            "/parties-prenantes/",
            "/parties-prenantes/registre/",
            "/parties-prenantes/registre/{stakeholder}/",
            "/parties-prenantes/activites/",
            "/parties-prenantes/activites/{activity}/",
            "/parties-prenantes/activites/nouveau/",
        ],
    ),
    "reference_admin": ("amina", ["/admin/"]),
    "public": (
        None,
        [
            "/connexion/",
            "/deposer-une-reclamation/",
            "/suivre-ma-reclamation/",
            tracked_grievance,
            "/statistiques/",
            "/statistiques/indicateurs/",
        ],
    ),
}


@pytest.fixture
def pages_data(salma, youssef, nadia, karim, leila, amina) -> dict:
    """One grievance in each state of STATES, made through the services as the demo makes them
    (grievances.demo), an overdue one for the alerts, a draft semester report, a stakeholder and
    a consultation."""
    tayssir = Programme.objects.get(code="tayssir")
    category = ComplaintCategory.objects.filter(programme=tayssir, needs_partner=False).order_by("pk").first()
    phone_channel = Channel.objects.get(code="call-centre")
    cast = SimpleNamespace(heads={"tayssir": nadia}, closers={"tayssir": karim}, handler=youssef, partner=None)
    unit = Unit.objects.get(code="cnra-paiements")
    reasons = list(UnfoundedReason.objects.all())
    rng = random.Random(20)  # noqa: S311 — test data
    data = {}
    for index, state in enumerate(STATES):
        result = grievance_register(
            actor=salma,
            programme=tayssir,
            channel=phone_channel,
            category=category,
            description="La bourse du trimestre n'a pas été versée ; appel au 1212.",
            cnie=f"AB{100000 + index}",
            phone=f"06120000{index:02d}",
            name=f"Fatima Benali {index}",
        )
        grievance = result.grievance
        for step in STATE_PATHS[state]:
            grievance = _step(step, grievance, rng=rng, cast=cast, agent=salma, unit=unit, reasons=reasons)
        data[state] = grievance.pk
        if state == "received":
            data["tracking_code"], data["tracking_phone"] = grievance.tracking_code, "0612000000"
    # Received online two months ago: past its due date, in « En retard » and the home page's alert.
    grievance_register(
        actor=salma,
        programme=tayssir,
        channel=Channel.objects.get(code="web-portal"),
        category=category,
        received_at=timezone.now() - timedelta(days=60),
        description="Aucune réponse depuis deux mois.",
        cnie="CD200000",
        phone="0623000000",
        name="Khadija Tahiri",
    )
    today = timezone.localdate()
    data["report"] = semester_report_start(actor=leila, year=today.year, semester=1 if today.month <= 6 else 2).pk
    data["stakeholder"] = make_stakeholder("Association des parents d'élèves de Taroudant").pk
    data["activity"] = make_activity().pk
    data["users"] = {user.username: user for user in (salma, youssef, nadia, karim, leila, amina)}
    return data


@pytest.fixture
def browser_context_args(browser_context_args):
    """The office laptop of the issue."""
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}}


def sign_in(page: Page, live_server, user, language: str) -> None:
    """A signed-in session cookie (the sign-in page has its own check below) and the language."""
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url})
    page.context.clear_cookies()
    page.context.add_cookies(cookies)


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations on the page as it stands."""
    return page.evaluate(
        """async (tags) => {
            const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
            const results = await axe.run(document, options);
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" ")),
                summaries: v.nodes.map(n => n.failureSummary),
            }));
        }""",
        WCAG_TAGS,
    )


def describe(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, violations in found.items():
        for v in violations:
            lines.append(f"{where}: {v['id']} ({v['impact']}) — {v['help']}")
            for target, summary in zip(v["targets"][:8], v["summaries"][:8], strict=True):
                lines.append(f"    {target}  ::  {' / '.join(summary.splitlines()[1:3])}")
            if len(v["targets"]) > 8:
                lines.append(f"    … and {len(v['targets']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_main_pages_have_no_serious_or_critical_accessibility_violation(
    watched_page, live_server, pages_data, language
):
    """Every journey in one test per language: one data set and one browser page for all of
    them, each persona signed in by a session cookie."""
    page = watched_page
    page.add_init_script(path=AXE)
    found: dict[str, list[dict]] = {}
    for journey, (username, pages) in JOURNEYS.items():
        sign_in(page, live_server, pages_data["users"].get(username), language)
        for entry in pages:
            if callable(entry):
                where = entry(page, live_server.url, pages_data)
            else:
                where = entry.format(**pages_data)
                response = page.goto(f"{live_server.url}{where}")
                assert response.ok, f"{where} answered {response.status}"
                # A step not offered to this persona redirects to the file: not the page meant.
                assert page.url == f"{live_server.url}{where}", f"{where} redirected to {page.url}"
            assert page.locator("html").get_attribute("lang") == language, f"{where} is not in {language}"
            violations = axe_violations(page)
            if violations:
                found[f"{journey} {where}"] = violations

    blocking = {where: [v for v in vs if v["impact"] in BLOCKING] for where, vs in found.items()}
    blocking = {where: vs for where, vs in blocking.items() if vs}
    others = {where: [v for v in vs if v["impact"] not in BLOCKING] for where, vs in found.items()}
    others = {where: vs for where, vs in others.items() if vs}
    assert not blocking, (
        "axe-core, serious or critical:\n" + describe(blocking) + "\n\nModerate or minor:\n" + describe(others)
    )
    assert page.console_errors == []
    assert page.foreign_requests == []


def test_axe_core_is_for_the_tests_only():
    """The vendored axe-core is the version the lock file pins, and not a static file: no
    user's page can load it."""
    lock = json.loads((settings.BASE_DIR / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/axe-core"]["version"]
    assert json.loads((settings.BASE_DIR / "static/vendor/VERSIONS.json").read_text())["axe-core"] == version
    assert AXE.read_text()[:200].startswith(f"/*! axe v{version}")
    assert (AXE.parent / "LICENSE").exists()
    assert finders.find("axe.min.js") is None
    assert finders.find("vendor/axe-core/axe.min.js") is None
