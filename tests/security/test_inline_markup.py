"""No page relies on markup the Content-Security-Policy blocks (issue 9, item 1).

The policy allows scripts and styles from this site's own files only (no 'unsafe-inline'): an
inline <script>, an event handler attribute (onclick=…), a javascript: link, a <style> block or a
style="" attribute would be silently dropped by the browser, and the page would break in
production. This test signs in with the demo accounts, follows every link it finds from the home
page and the admin, and fails on any page that carries such markup.
"""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from pmpp.models import User

pytestmark = pytest.mark.django_db

# One account per kind of work: the superuser (admin), the agent (queues, files, imports),
# the GBV referent (sensitive cases), the E&S focal point (registry, reports), the head of
# beneficiary services (approvals, dashboard).
# The least each reaches, so that a crawl that stops following the navigation fails.
ACCOUNTS = {"admin": 60, "agent": 30, "referent.vbg": 3, "pointfocal": 30, "responsable": 30}
PAGES_PER_ACCOUNT = 90
# Links that leave the pages a user reads: switching language posts, signing out posts.
_SKIP = re.compile(r"^/(i18n|deconnexion|static|media)/|/export\.|\.(csv|xlsx|pdf)$|/telecharger|/pieces-jointes/\d+/$")


class InlineMarkup(HTMLParser):
    """Collects what a strict CSP blocks, and the links to follow."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in named
            if self._in_script:
                self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> block")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.problems.append(f'<{tag} style="{value}">')
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "a" and named.get("href"):
            self.links.append(named["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def inline_markup(html: str) -> InlineMarkup:
    parser = InlineMarkup()
    parser.feed(html)
    parser.close()
    return parser


def _shape(url: str) -> str:
    """Pages that differ only by an id or a query value are the same template: read one of each."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(client: Client, start: list[str], limit: int) -> dict[str, list[str]]:
    """Reads up to `limit` HTML pages reachable from `start`; returns the problems found per page."""
    queue, seen, found, read = list(start), set(), {}, 0
    while queue and read < limit:
        url = queue.pop(0)
        if _shape(url) in seen:
            continue
        seen.add(_shape(url))
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        read += 1
        page = inline_markup(response.content.decode())
        if page.problems:
            found[url] = sorted(set(page.problems))
        for href in page.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc not in {"", "testserver"} or _SKIP.search(parts.path):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found | {"__read__": [str(read)]}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # load_demo refuses a production-like server
    call_command("load_demo", "--grievances=25", stdout=io.StringIO())
    settings.DEBUG = False


def test_the_parser_finds_each_kind_of_blocked_markup():
    page = inline_markup(
        '<script>alert(1)</script><script src="/static/js/pmpp.js"></script><style>p{}</style>'
        '<button onclick="go()">x</button><p style="color:red">y</p><a href=" JavaScript:alert(1)">z</a>'
    )

    assert page.problems == [
        "inline <script>",
        "<style> block",
        "<button onclick=…> event handler",
        '<p style="color:red">',
        "<a href=javascript:…>",
    ]
    assert page.links == [" JavaScript:alert(1)"]


@pytest.mark.parametrize("username", ACCOUNTS)
def test_no_page_a_user_can_reach_has_inline_script_handler_or_style(demo, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    start = ["/", "/admin/"] if username == "admin" else ["/"]

    found = crawl(client, start, PAGES_PER_ACCOUNT)

    read = int(found.pop("__read__")[0])
    assert read >= ACCOUNTS[username], f"only {read} pages reached: the crawl no longer follows the navigation"
    assert found == {}


def test_no_public_page_has_inline_script_handler_or_style(demo):
    found = crawl(
        Client(),
        [
            "/connexion/",
            "/deposer-une-reclamation/",
            "/suivre-ma-reclamation/",
            "/statistiques/",
            "/statistiques/indicateurs/",
            "/api/docs/",
        ],
        20,
    )

    read = int(found.pop("__read__")[0])
    assert read >= 5
    assert found == {}
