"""The clients of the load test (bench/load.py): each a thread with its own HTTP connection.

They speak HTTP as a browser or an integration does, with the standard library only: cookies
(session, CSRF, flash messages) kept per client, forms sent with the CSRF token read from the
page they were shown on, redirects followed by hand so that each request is timed on its own.
Nothing here touches Django: the URLs, accounts and search terms come in a `Site` made by
load.py before the server starts.

Every request is recorded under a kind (« Queue, first page »…) with its time and whether it
got the answer expected; anything else (another status, a timeout, a reset) is an error.
"""

import html
import http.client
import json
import random
import re
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.reconcile import Filing
from bench.server import GRIEVANCES_URL, IntakeBodies

# Kinds of request, in the order of the results table.
API_INTAKE = "API intake (POST, 201)"
API_REPLAY = "API intake sent again (same key, 200)"
PORTAL_FORM = "Portal form (GET)"
PORTAL_POST = "Portal filing, named (POST, 302)"
# An anonymous complaint's PIN is hashed like a password (0.3 s of CPU): timed apart.
PORTAL_POST_ANONYMOUS = "Portal filing, anonymous (POST, 302)"
PORTAL_RECEIPT = "Portal receipt (GET)"
PORTAL_REPLAY = "Portal form sent again (POST, 302)"
LOGIN_FORM = "Login page (GET)"
LOGIN_POST = "Login (POST, 302)"
HOME = "Home page (GET)"
QUEUE = "Queue, first page"
QUEUE_NEXT = "Queue, « Suivant » page (cursor)"
FILE = "Grievance file"
SEARCH_POST = "Search (POST, 303)"
SEARCH_RESULTS = "Search results (GET)"
STEP_FORM = "Qualify step form (GET)"
STEP_POST = "Qualify step (POST, 302)"
DASHBOARD = "Dashboard (ministry reader)"
# A client's own failure (a page it could not read): an error too, and the client goes on.
CLIENT_FAILURE = "Client failure (exception in the load client)"
# Timed from the first second: signing in happens only then (the others after the warm-up).
TIMED_FROM_START = frozenset({LOGIN_FORM, LOGIN_POST, HOME})
KINDS = [
    API_INTAKE, API_REPLAY, PORTAL_FORM, PORTAL_POST, PORTAL_POST_ANONYMOUS, PORTAL_RECEIPT, PORTAL_REPLAY,
    LOGIN_FORM, LOGIN_POST, HOME, QUEUE, QUEUE_NEXT, FILE, SEARCH_POST, SEARCH_RESULTS, STEP_FORM, STEP_POST,
    DASHBOARD, CLIENT_FAILURE,
]  # fmt: skip

# Anonymous portal filings: 2.7 % of the web portal's in the generated data set, a little
# more here so that a run has a few dozen to time (each hashes a PIN: 0.3 s of CPU).
ANONYMOUS_SHARE = 0.05

# The queues an agent opens, and how often: « à qualifier » and the deadlines first.
AGENT_QUEUES = {
    "a-qualifier": 4,
    "toutes": 3,
    "en-retard": 2,
    "echeance-proche": 2,
    "echeance-aujourdhui": 1,
    "a-analyser": 1,
    "a-repondre": 1,
    "mes-dossiers": 1,
}


@dataclass(frozen=True)
class Site:
    """What the clients need to know, read from the database and the URL conf before the run."""

    host: str
    port: int
    token: str  # the integration account's
    password: str  # of every account below
    agents: list[str]
    readers: list[str]
    login_url: str
    home_url: str
    portal_url: str
    dashboard_url: str
    search_url: str
    queue_url: Callable[[str], str]
    step_url: Callable[[int, str], str]
    portal_choices: list[tuple[int, int]]  # (programme, category) pairs the public form offers
    search_terms: list[str]  # CNIEs, names and references of grievances the agents can see
    replay_rate: float = 0.05
    step_rate: float = 0.3
    next_page_rate: float = 0.4


class Stop(Exception):
    """The run's time is up: the client ends where it is."""


@dataclass
class Recorder:
    """Every request's time and outcome, and what the clients were told was recorded."""

    started: float
    warmup_ends: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_queue: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    counts: Counter = field(default_factory=Counter)  # every request, warm-up included
    errors: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    filings: list[Filing] = field(default_factory=list)
    qualified: list[tuple[str, int]] = field(default_factory=list)  # (agent, grievance id) told « enregistrée »
    stale_steps: int = 0  # a case another agent had just qualified: answered, not an error
    reconnections: int = 0  # requests sent again on a new connection (a kept-alive one closed)

    def count_reconnection(self) -> None:
        with self.lock:
            self.reconnections += 1

    def record(self, kind: str, *, started: float, error: str = "", queue: str = "") -> None:
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.counts[kind] += 1
            if error:
                self.errors[kind][error] += 1
            elif started >= self.warmup_ends or kind in TIMED_FROM_START:
                self.samples[kind].append(elapsed)
                if queue:
                    self.by_queue[queue].append(elapsed)


@dataclass(frozen=True)
class Page:
    status: int
    location: str
    text: str


class Browser:
    """One keep-alive connection and a cookie jar, timing each request under its kind."""

    def __init__(self, site: Site, recorder: Recorder, *, deadline: float, stop: threading.Event):
        self.site, self.recorder, self.deadline, self.stop = site, recorder, deadline, stop
        self.connection = http.client.HTTPConnection(site.host, site.port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""  # of the last page that had a form, as the header's search box sends it

    def close(self) -> None:
        self.connection.close()

    def forget_cookies(self) -> None:
        self.cookies.clear()
        self.csrf_token = ""

    def fetch(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...] = (200,),
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        queue: str = "",
        follow: bool = False,
    ) -> Page | None:
        """The answer, or None when it is an error (recorded as such under `kind`).

        Past the deadline no request starts, except a redirect's target (`follow`): a client
        sent a receipt's page or a step's result reads it, or it would never learn what was
        recorded, and the check afterwards would find grievances no one was told of.
        """
        if self.stop.is_set() or (time.perf_counter() >= self.deadline and not follow):
            raise Stop
        sent = {"Accept-Language": "fr", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        started = time.perf_counter()
        try:
            response, text = self._exchange(method, path, body, sent)
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()  # the next request opens a new connection
            self.recorder.record(kind, started=started, error=type(error).__name__)
            return None
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        page = Page(response.status, response.headers.get("Location", ""), text)
        self.csrf_token = hidden_value(text, "csrfmiddlewaretoken") or self.csrf_token
        error = "" if page.status in expect else str(page.status)
        self.recorder.record(kind, started=started, error=error, queue=queue)
        return None if error else page

    def _exchange(self, method: str, path: str, body: bytes | None, headers: dict[str, str]):
        """Send, and read the whole answer. A kept-alive connection the server has closed while
        the client was idle (gthread's --keep-alive) fails before any answer: sent again once
        on a new connection, as browsers do. Nothing was read by the server, so nothing is
        sent twice; a failure on a new connection is an error."""
        reused = self.connection.sock is not None
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            self.connection.close()
            self.recorder.count_reconnection()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        return response, response.read().decode("utf-8", "replace")

    def get(self, kind: str, path: str, **options) -> Page | None:
        return self.fetch(kind, "GET", path, **options)

    def post_form(self, kind: str, path: str, fields: dict[str, str], **options) -> Page | None:
        """A form sent as a browser sends it: urlencoded, with the page's origin."""
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://{self.site.host}:{self.site.port}",
        }
        return self.fetch(kind, "POST", path, body=urlencode(fields).encode(), headers=headers, **options)


# --- reading pages ----------------------------------------------------------------------------------------------

_FILE_LINK = re.compile(r'href="(/reclamations/(\d+)/)"')
_NEXT_LINK = re.compile(r'<a class="page-link" href="([^"]*)" rel="next"')
_RECEIPT_REFERENCE = re.compile(r'id="receipt-reference">([^<]+)<')
_CATEGORY_SELECT = re.compile(r'<select name="category".*?</select>', re.S)
_OPTION = re.compile(r'<option value="(\d+)"( selected)?')


def hidden_value(text: str, name: str) -> str:
    """The value of the form field `name` (a hidden input: CSRF token, submission, expected status)."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', text)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return html.unescape(value.group(1)) if value else ""


def file_links(text: str) -> list[str]:
    return sorted({match.group(1) for match in _FILE_LINK.finditer(text)})


def next_page(text: str, path: str) -> str:
    """The « Suivant » link's target: a query string, relative to the queue's path."""
    match = _NEXT_LINK.search(text)
    if not match:
        return ""
    href = html.unescape(match.group(1))
    return path.split("?")[0] + href if href.startswith("?") else href


def selected_category(text: str) -> str:
    """The step form's category: the grievance's own (selected), else the first offered."""
    select = _CATEGORY_SELECT.search(text)
    options = _OPTION.findall(select.group(0)) if select else []
    return next((value for value, selected in options if selected), options[0][0] if options else "")


# --- the clients ------------------------------------------------------------------------------------------------


class Client:
    """A client's loop until the deadline: `cycle` again and again, pausing `think` s on average
    between requests (exponentially distributed, as independent users are)."""

    def __init__(
        self, name: str, site: Site, recorder: Recorder, *, deadline, stop, think: float, seed: int, ramp_up: float
    ):
        self.name, self.site, self.recorder, self.think, self.ramp_up = name, site, recorder, think, ramp_up
        self.browser = Browser(site, recorder, deadline=deadline, stop=stop)
        self.random = random.Random(seed)  # noqa: S311 — load shape, no secret
        self.bodies = IntakeBodies(seed=self.random.randrange(2**63))  # made-up complainants
        self.deadline, self.stop = deadline, stop

    def pause(self) -> None:
        if self.think > 0:
            wait = min(self.random.expovariate(1 / self.think), max(0.0, self.deadline - time.perf_counter()))
            self.stop.wait(wait)

    def run(self) -> None:
        try:
            # Staggered over the first seconds, as people arrive: not thirty sign-ins at once.
            self.stop.wait(self.random.uniform(0, self.ramp_up))
            self.start()
            while True:
                try:
                    self.cycle()
                except Stop:
                    raise
                except Exception as error:  # counted as an error; the next round starts afresh
                    self.recorder.record(CLIENT_FAILURE, started=time.perf_counter(), error=type(error).__name__)
                    self.pause()
        except Stop:
            pass
        finally:
            self.browser.close()

    def start(self) -> None:
        """Once, before the cycles (signing in)."""

    def cycle(self) -> None:
        raise NotImplementedError

    def filed(self, filing: Filing) -> None:
        with self.recorder.lock:
            self.recorder.filings.append(filing)


class ApiClient(Client):
    """An integration (chikaya.ma) filing as the integration account; sometimes it sends a
    request again with the same `Idempotency-Key`, as after a lost answer."""

    def cycle(self) -> None:
        body = self.bodies.next()
        headers = {
            "Authorization": f"Token {self.site.token}",
            "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": "application/json",
        }
        page = self.browser.fetch(API_INTAKE, "POST", GRIEVANCES_URL, body=body, headers=headers, expect=(201,))
        if page is not None:
            reference = json.loads(page.text)["reference"]
            external = json.loads(body)["external_reference"]
            self.filed(Filing("api", reference, external_reference=external))
            if self.random.random() < self.site.replay_rate:
                self.pause()
                again = self.browser.fetch(API_REPLAY, "POST", GRIEVANCES_URL, body=body, headers=headers)
                if again is not None:
                    self.filed(Filing("api", json.loads(again.text)["reference"], external, replay_of=reference))
        self.pause()


class PortalClient(Client):
    """A complainant on the public form: shown the form, sends it, reads the receipt. Each is
    a new visitor (new cookies); sometimes one sends the same form twice (a double click)."""

    def cycle(self) -> None:
        site, browser = self.site, self.browser
        browser.forget_cookies()
        form = browser.get(PORTAL_FORM, site.portal_url)
        if form is None:
            return self.pause()
        self.pause()
        fields = self._fields(form.text)
        reference = self._send(PORTAL_POST_ANONYMOUS if "is_anonymous" in fields else PORTAL_POST, fields)
        if reference:
            self.filed(Filing("portal", reference))
        if reference and self.random.random() < site.replay_rate:
            again = self._send(PORTAL_REPLAY, fields)
            if again:
                self.filed(Filing("portal", again, replay_of=reference))
        self.pause()

    def _send(self, kind: str, fields: dict[str, str]) -> str:
        """Send the form; the reference on the receipt it leads to, "" on an error."""
        sent = self.browser.post_form(kind, self.site.portal_url, fields, expect=(302,))
        if sent is None:
            return ""
        # A form sent again leads to the first sending's receipt, « déjà reçu ».
        receipt = self.browser.get(PORTAL_RECEIPT, sent.location, follow=True)
        match = _RECEIPT_REFERENCE.search(receipt.text) if receipt else None
        return match.group(1).strip() if match else ""

    def _fields(self, text: str) -> dict[str, str]:
        programme, category = self.random.choice(self.site.portal_choices)
        identity = self.bodies.complainant()
        anonymous = self.random.random() < ANONYMOUS_SHARE
        return {
            "csrfmiddlewaretoken": hidden_value(text, "csrfmiddlewaretoken"),
            "submission": hidden_value(text, "submission"),
            "programme": str(programme),
            "category": str(category),
            "description": "Je n'ai pas reçu l'allocation de ce mois (mesure de charge).",
            **({"is_anonymous": "on"} if anonymous else {}),
            "complainant_name": "" if anonymous else "Réclamante de mesure",
            "complainant_cnie": "" if anonymous else identity["cnie"],
            "complainant_phone": "" if anonymous else identity["phone"],
            "complainant_email": "",
            "preferred_contact": "" if anonymous else self.random.choice(["sms", "none"]),
        }


class SignedInClient(Client):
    """Signs in through the login page with its password, then lands on the home page."""

    def __init__(self, name: str, *args, **kwargs):
        super().__init__(name, *args, **kwargs)
        self.username = name

    def start(self) -> None:
        site, browser = self.site, self.browser
        form = browser.get(LOGIN_FORM, site.login_url)
        fields = {
            "csrfmiddlewaretoken": hidden_value(form.text if form else "", "csrfmiddlewaretoken"),
            "username": self.username,
            "password": site.password,
            "next": "",
        }
        signed_in = browser.post_form(LOGIN_POST, site.login_url, fields, expect=(302,))
        if signed_in is None:
            raise Stop  # an error recorded; a client that cannot sign in has nothing to do
        browser.get(HOME, signed_in.location or site.home_url, follow=True)
        self.pause()


class ReaderClient(SignedInClient):
    """Ministry staff reading the dashboard (figures only: no queue, no file)."""

    def cycle(self) -> None:
        self.browser.get(DASHBOARD, self.site.dashboard_url)
        self.pause()


class AgentClient(SignedInClient):
    """An agent's round: a queue (sometimes its next page), a file from it, a search, and
    sometimes the qualification of a received grievance through its step form."""

    def cycle(self) -> None:
        site, browser = self.site, self.browser
        slug = self.random.choices(list(AGENT_QUEUES), weights=list(AGENT_QUEUES.values()))[0]
        path = site.queue_url(slug)
        page = browser.get(QUEUE, path, queue=slug)
        self.pause()
        if (
            page is not None
            and self.random.random() < site.next_page_rate
            and (following := next_page(page.text, path))
        ):
            page = browser.get(QUEUE_NEXT, following, queue=slug + " (Suivant)") or page
            self.pause()
        if page is not None and (links := file_links(page.text)):
            browser.get(FILE, self.random.choice(links))
            self.pause()
        self.search()
        if self.random.random() < site.step_rate:
            self.qualify()

    def search(self) -> None:
        sent = self.browser.post_form(
            SEARCH_POST,
            self.site.search_url,
            {"csrfmiddlewaretoken": self.browser.csrf_token, "q": self.random.choice(self.site.search_terms)},
            expect=(303,),
        )
        self.pause()
        if sent is not None:
            # A reference goes straight to the file; anything else to its results page.
            kind = FILE if _FILE_LINK.search(f'href="{sent.location}"') else SEARCH_RESULTS
            self.browser.get(kind, sent.location, follow=True)
            self.pause()

    def qualify(self) -> None:
        """Qualify one of « à qualifier »'s first page, as the step form asks it."""
        site, browser = self.site, self.browser
        path = site.queue_url("a-qualifier")
        page = browser.get(QUEUE, path, queue="a-qualifier")
        self.pause()
        links = file_links(page.text) if page else []
        if not links:
            return
        pk = int(_FILE_LINK.search(f'href="{self.random.choice(links)}"').group(2))
        step_url = site.step_url(pk, "qualify")
        form = browser.get(STEP_FORM, step_url, expect=(200, 302))
        if form is None:
            return
        if form.status == 302:  # just qualified by someone else: the step is no longer offered
            self._stale()
            return
        self.pause()
        fields = {
            "csrfmiddlewaretoken": hidden_value(form.text, "csrfmiddlewaretoken"),
            "expected_status": hidden_value(form.text, "expected_status"),
            "category": selected_category(form.text),
            "subject": "Allocation non reçue",
            "nature": "individual",
            **({"identity_verified": "on"} if 'name="identity_verified"' in form.text else {}),
            "comment": "",
        }
        done = browser.post_form(STEP_POST, step_url, fields, expect=(302,))
        if done is None:
            return
        file = browser.get(FILE, done.location, follow=True)
        if file is not None and "alert alert-success" in file.text:
            with self.recorder.lock:
                self.recorder.qualified.append((self.username, pk))
        elif file is not None:
            self._stale()  # moved by another agent between the form and the sending
        self.pause()

    def _stale(self) -> None:
        with self.recorder.lock:
            self.recorder.stale_steps += 1
