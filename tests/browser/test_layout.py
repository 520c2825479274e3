"""Every role works a full day on a 1366×768 office laptop, in French and in Arabic (issue 20, item 2).

On each main page the role reaches, the navigation holds on one line and nothing pushes the page
wider than the screen; the user menu holds the language switch and sign-out; the dashboard opens
on its key figures, and its breakdown tables scroll inside their cards.

The accounts are the demo's (pmpp/management/commands/load_demo.py), with their real names, and
the data is made once for the module: each role signs in once and reads its pages in both
languages, instead of a database flush and a sign-in for every page.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from grievances.queues import queue_counts, queues_for
from grievances.services.intake import grievance_register
from pmpp import roles
from pmpp.management.commands.load_demo import DEMO_ACCOUNTS, _sync_memberships
from pmpp.models import Channel, ComplaintCategory, Programme, User
from tests.factories import PASSWORD

# The module's data is committed once (see `site`); what a test writes is rolled back after it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

VIEWPORT = {"width": 1366, "height": 768}
LANGUAGES = ["fr", "ar"]
# The first demo account of each role, and the superuser.
ACCOUNTS = [
    "agent",
    "traitement",
    "responsable",
    "cloture",
    "partenaire",
    "referent.vbg",
    "pointfocal",
    "ministere",
    "referentiels",
    "admin",
]

# Measured in the page: the top-level entries of the bar (links, menus, the user menu, and the
# forms main used to put there) all cross one horizontal line, and none is taller than the brand
# (an entry whose words wrap is); the page is no wider than the window; the user menu's toggle is
# inside the window.
FITS = """() => {
  const items = [...document.querySelectorAll("#main-nav > .navbar-nav > .nav-item, #main-nav > form")]
    .map((el) => el.getBoundingClientRect());
  const brand = document.querySelector(".navbar-brand")?.getBoundingClientRect() ?? {height: 0};
  const toggle = document.querySelector("#user-menu");
  const box = toggle && toggle.getBoundingClientRect();
  return {
    oneLine: items.length > 0
      && Math.max(...items.map((r) => r.top)) < Math.min(...items.map((r) => r.bottom))
      && Math.max(...items.map((r) => r.height)) <= brand.height + 1,
    pageWidth: document.documentElement.scrollWidth,
    windowWidth: window.innerWidth,
    userMenuInside: !!box && box.width > 0 && box.left >= 0 && box.right <= window.innerWidth,
  };
}"""

# The dashboard: where the first key figure ends, and which breakdown tables stick out of their card
# (or their card out of the window).
DASHBOARD = """() => {
  const figure = document.querySelector("#figure-received");
  const overflowing = [...document.querySelectorAll("table[id^=breakdown-]")].filter((table) => {
    const card = table.closest(".card").getBoundingClientRect();
    const box = table.getBoundingClientRect();
    const visible = table.parentElement.getBoundingClientRect();
    return card.left < 0 || card.right > window.innerWidth
      || Math.max(box.left, visible.left) < card.left - 1 || Math.min(box.right, visible.right) > card.right + 1;
  }).map((table) => table.id);
  return {figureBottom: figure ? figure.getBoundingClientRect().bottom : null, overflowing};
}"""

# Scrolls a table's wrapper to its far end and says whether its first column stayed where it was.
STICKY = """(table) => {
  const wrapper = table.parentElement;
  const cell = table.querySelector("tbody tr > :first-child");
  const before = cell.getBoundingClientRect().left;
  const rtl = getComputedStyle(table).direction === "rtl";
  wrapper.scrollLeft = rtl ? -wrapper.scrollWidth : wrapper.scrollWidth;
  const moved = wrapper.scrollLeft !== 0;
  const after = cell.getBoundingClientRect().left;
  wrapper.scrollLeft = 0;
  return {moved, stayed: Math.abs(after - before) < 1};
}"""


# The elements that reach past the viewport's inline end, the outermost first: what makes a page scroll sideways.
WIDER = """() => {
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    const past = document.dir === "rtl" ? box.left < -1 : box.right > window.innerWidth + 1;
    let clipped = false;  // inside a box that scrolls or clips it: not what widens the page
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") { clipped = true; break; }
    }
    if (past && !clipped && !found.some((outer) => outer.contains(element))) found.push(element);
  }
  return found.slice(0, 5).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
}"""


@dataclass
class Site:
    url: str
    grievance_pk: int


def _demo_account(username: str) -> User:
    _, first_name, last_name, role_code, scopes = next(row for row in DEMO_ACCOUNTS if row[0] == username)
    user = User(username=username, first_name=first_name, last_name=last_name)
    user.is_superuser = role_code is None
    user.is_staff = role_code in (None, roles.REFERENCE_ADMIN)
    user.set_password(PASSWORD)
    user.save()
    if role_code is not None:
        user.groups.add(Group.objects.get(name=roles.ROLES_BY_CODE[role_code].group_name))
    _sync_memberships(user, scopes)
    return user


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker) -> Iterator[Site]:
    """The demo accounts, a few requests, and a live server of its own, for the whole module.

    Not the `live_server` fixture: a test that names it gets a transactional database, emptied
    after every test, and every role would sign in again for each language. Emptied here once at
    the end instead, as a transactional test's flush does (tests/conftest.py lets it through
    the history triggers).
    """
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        agent = None
        for username in ACCOUNTS:
            user = _demo_account(username)
            agent = user if username == "agent" else agent
        tayssir = Programme.objects.get(code="tayssir")
        payment = ComplaintCategory.objects.get(programme=tayssir, code="paiement-non-recu")
        for index, channel in enumerate(["call-centre", "web-portal", "walk-in"]):
            result = grievance_register(
                actor=agent,
                programme=tayssir,
                channel=Channel.objects.get(code=channel),
                description="La bourse du deuxième trimestre n'est pas arrivée.",
                cnie=f"AB{300000 + index}",
                category=payment,
            )
        server = LiveServer("localhost")
        try:
            yield Site(url=server.url, grievance_pk=result.grievance.pk)
        finally:
            server.stop()
            call_command("flush", verbosity=0, interactive=False)


def sign_in(page: Page, site: Site, username: str) -> None:
    page.goto(f"{site.url}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#main-nav")).to_be_attached()
    expect(page).not_to_have_url(re.compile(r"/connexion/"))


def open_user_menu(page: Page) -> None:
    toggle = page.locator("#user-menu")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(page.locator("#logout-form button[type=submit]")).to_be_visible()


def choose_language(page: Page, language: str) -> None:
    if page.locator("html").get_attribute("lang") == language:
        return
    open_user_menu(page)
    page.locator(f"#language-switch button[value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.fixture(scope="module", params=ACCOUNTS)
def signed_in(request, site, browser) -> Iterator[tuple[Page, str]]:
    """One browser window per role, signed in once for both languages."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    sign_in(page, site, request.param)
    yield page, request.param
    context.close()


def main_pages(page: Page, username: str) -> tuple[list[str], str | None]:
    """What the role reaches from its navigation (the work queues aside), a registry list, and
    its busiest work queue, apart: the test opens a file from it."""
    hrefs = page.eval_on_selector_all(
        "#main-nav a.nav-link[href], #main-nav a.dropdown-item[href]", "links => links.map((a) => a.pathname)"
    )
    queue_prefix = reverse("grievances:queue", args=["x"]).removesuffix("x/")
    paths = [href for href in hrefs if not href.startswith((queue_prefix, reverse("admin:index")))]
    if reverse("stakeholders:home") in paths:
        paths.append(reverse("stakeholders:stakeholder_list"))
    user = User.objects.get(username=username)
    queues = queues_for(user)
    busiest = None
    if queues:
        counts = queue_counts(user=user, queues=queues)
        busiest = reverse("grievances:queue", args=[max(queues, key=lambda queue: counts.get(queue.slug, 0)).slug])
    return ["/", *dict.fromkeys(path for path in paths if path != "/")], busiest


def misfits(page: Page) -> list[str]:
    """What does not fit on the current page, in words."""
    fits = page.evaluate(FITS)
    found = []
    if not fits["oneLine"]:
        found.append("the navigation takes more than one line")
    if fits["pageWidth"] > fits["windowWidth"]:
        found.append(f"the page is {fits['pageWidth']} px wide in a {fits['windowWidth']} px window")
    if not fits["userMenuInside"]:
        found.append("no user menu inside the window")
    if urlparse(page.url).path == reverse("reporting:dashboard"):
        dashboard = page.evaluate(DASHBOARD)
        if dashboard["figureBottom"] is None or dashboard["figureBottom"] >= VIEWPORT["height"]:
            found.append(f"the first key figure ends at {dashboard['figureBottom']} px, below the fold")
        if dashboard["overflowing"]:
            found.append(f"breakdowns out of their card: {dashboard['overflowing']}")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_main_page_fits_the_laptop_screen_with_the_navigation_on_one_line(signed_in, site, language):
    page, username = signed_in
    page.goto(f"{site.url}/")
    choose_language(page, language)
    paths, queue = main_pages(page, username)

    problems = {}
    for path in paths:
        page.goto(f"{site.url}{path}")
        problems[path] = misfits(page)
    if queue:
        page.goto(f"{site.url}{queue}")
        problems[queue] = misfits(page)
        first_file = page.locator("#queue-table tbody a[href]").first
        if first_file.count():
            first_file.click()
            expect(page.locator("#grievance-reference")).to_be_visible()
            problems[urlparse(page.url).path] = misfits(page)
    failing = {path: found for path, found in problems.items() if found}
    assert not failing, f"{username} ({language}): {failing}"

    # Sign-out is in the user menu, on screen, and still a POST form with its CSRF token.
    open_user_menu(page)
    box = page.locator("#logout-form button[type=submit]").bounding_box()
    assert box is not None
    assert 0 <= box["x"] <= box["x"] + box["width"] <= VIEWPORT["width"]
    assert page.locator("#logout-form").get_attribute("method") == "post"
    assert page.locator("#logout-form input[name=csrfmiddlewaretoken]").count() == 1
    page.keyboard.press("Escape")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_wide_breakdown_scrolls_in_its_card_under_a_first_column_that_stays(site, browser, language):
    """Below lg (800 px) the breakdowns are wider than their card: they scroll inside it, and
    the row labels stay in view."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    sign_in(page, site, "ministere")
    choose_language(page, language)
    page.set_viewport_size({"width": 800, "height": 768})
    page.goto(f"{site.url}{reverse('reporting:dashboard')}")
    wide = [
        table
        for table in page.locator("table[id^=breakdown-]").all()
        # A table with rows to label (not the one « no request » cell across it) wider than its card.
        if table.locator("tbody tr[data-label]").count()
        and table.evaluate("(t) => t.parentElement.scrollWidth > t.parentElement.clientWidth + 1")
    ]
    assert wide, "no breakdown is wider than its card at 800 px: the check would prove nothing"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(WIDER)
    for table in wide:
        wrapper = table.evaluate(
            "(t) => ({cls: t.parentElement.className, overflow: getComputedStyle(t.parentElement).overflowX,"
            " scroll: t.parentElement.scrollWidth, client: t.parentElement.clientWidth})"
        )
        assert table.evaluate(STICKY) == {"moved": True, "stayed": True}, (table.get_attribute("id"), wrapper)
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_out_through_the_user_menu(site, browser, language):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    sign_in(page, site, "pointfocal")
    choose_language(page, language)

    open_user_menu(page)
    page.locator("#logout-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/connexion/"))
    page.goto(f"{site.url}{reverse('reporting:dashboard')}")
    expect(page).to_have_url(re.compile(r"/connexion/"))
    context.close()
