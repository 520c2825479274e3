"""The site probed from outside, over HTTP, as every demo account (issue 17, must hold 2).

A live server (a real socket, real sign-in through the login form, real cookies and CSRF
tokens; API calls with a real token) serves the demo accounts of `load_demo`, which follow
SPEC §1: CNRA on Tayssir and DAAM, CNSS on AMO TADAMON, the ministry's own staff on TADAMON
COVID and Allocations Familiales. Grievances of every programme, their attachments and a
sensitive case are filed through the services. Then:

1. every account asks every route of the access matrix that takes no object: no 2xx where
   the matrix refuses the account's role;
2. every account walks the sequential ids of grievances, attachments and sensitive cases,
   and every reference on the API, across programmes: no 2xx for anything the visibility
   rules (grievances.access) do not grant it;
3. an ordinary grievance is flagged GBV/SEA/SH: every page and download each non-referent
   account can open, before and after, holds no marker of the case after; and the
   complainant's tracking answers, with the receipt's code and the CNIE or the phone, are
   the same before and after.
"""

import io
import re
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from http.cookiejar import CookieJar

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api.models import IntegrationAccount
from grievances.access import user_can_see_grievance, user_can_see_sensitive_case
from grievances.models import Attachment, Grievance, SensitiveCase
from grievances.services import workflow as wf
from grievances.services.attachments import attachment_add
from grievances.services.intake import SensitiveDetails, grievance_register
from pmpp import roles
from pmpp.management.commands.load_demo import DEMO_ACCOUNTS
from pmpp.management.commands.load_demo import Command as LoadDemo
from pmpp.models import Channel, Programme, User
from tests.security.access_matrix import MATRIX

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Sonde-Exterieure-2026"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Per-request tokens a page carries whatever it shows: left out when two answers are compared.
VOLATILE = re.compile(r'(name="csrfmiddlewaretoken" value=|nonce=|csrftoken=)"?[^"\s>]*"?')
NATURE = "Le payeur a exigé une faveur en échange du versement"


class Visitor:
    """A browser without JavaScript: cookies, the CSRF token of the last form, no redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str, *, token: str | None = None):
        self.base = base
        self.token = token
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, path: str, data: dict | None = None, *, follow: bool = False) -> tuple[int, bytes, dict]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        # The live server's own http:// address, never a URL from input.
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=60) as response:
                status, content, headers = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, content, headers = error.code, error.read(), dict(error.headers)
        if follow and status in (301, 302, 303) and headers.get("Location"):
            location = urllib.parse.urlsplit(headers["Location"])
            return self.request(location.path + (f"?{location.query}" if location.query else ""))
        return status, content, headers

    def get(self, path: str) -> tuple[int, bytes]:
        status, content, _headers = self.request(path)
        return status, content

    def post_form(self, path: str, data: dict, *, follow: bool = True) -> tuple[int, bytes]:
        _status, page, _headers = self.request(path)
        match = CSRF.search(page.decode("utf-8", "replace"))
        fields = {"csrfmiddlewaretoken": match.group(1)} if match else {}
        status, content, _headers = self.request(path, fields | data, follow=follow)
        return status, content

    def sign_in(self, username: str) -> None:
        status, _content = self.post_form(reverse("login"), {"username": username, "password": PASSWORD}, follow=False)
        assert status == 302, f"{username} could not sign in ({status})"


def _role_of(user: User) -> str | None:
    codes = roles.role_codes_for(user)
    return next(iter(codes)) if len(codes) == 1 else None


@pytest.fixture
def world(live_server, settings, tmp_path):
    """The demo accounts, signed in over HTTP, and grievances of every programme."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    LoadDemo()._load_accounts(reset_passwords=False)
    users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])}
    for user in users.values():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    agents = {"tayssir": "agent", "daam": "agent", "amo-tadamon": "agent.cnss"}
    agents |= {"tadamon-covid": "agent.mef", "allocations-familiales": "agent.mef"}
    channel = Channel.objects.get(code="call-centre")
    filed = []
    for number, programme in enumerate(Programme.objects.order_by("code")):
        agent = users[agents[programme.code]]
        for copy in range(2):
            grievance = grievance_register(
                actor=agent,
                programme=programme,
                channel=channel,
                description="La prestation n'est pas arrivée.",
                cnie=f"Z{number}{copy}4567",
                phone=f"06{number}{copy}123456",
                name=f"Plaignant {programme.code} {copy}",
            ).grievance
            attachment_add(
                grievance=grievance,
                actor=agent,
                uploaded_file=SimpleUploadedFile("piece.png", PNG, content_type="image/png"),
            )
            filed.append((grievance, f"Z{number}{copy}4567", f"06{number}{copy}123456"))
        grievance_register(
            actor=agent,
            programme=programme,
            channel=channel,
            description="",
            sensitive=SensitiveDetails(nature=f"Cas {programme.code} : harcèlement", referral_offered=True),
        )
    tokens = {}
    for user in users.values():
        token, token_hash = IntegrationAccount.new_token()
        IntegrationAccount.objects.create(
            name=f"sonde-{user.username}", user=user, channel=Channel.objects.get(code="chikaya"), token_hash=token_hash
        )
        tokens[user.username] = token
    return {"base": live_server.url, "users": users, "tokens": tokens, "filed": filed}


def _visitor(world, username: str) -> Visitor:
    visitor = Visitor(world["base"])
    visitor.sign_in(username)
    return visitor


def _plain_routes() -> list[tuple[str, str, bool]]:
    """(name, path, api) of every matrix route that addresses no object and is read by GET."""
    routes = []
    for name, row in MATRIX.items():
        if row.kwargs or row.args or "logout" in name or name == "set_language":
            continue
        if "/" in name or "." in name:
            # An unnamed route, keyed by its path: only those that take no argument.
            if "<" in name or "(" in name:
                continue
            path = "/" + name
        else:
            path = reverse(name)
        if row.query:
            path += "?" + urllib.parse.urlencode(row.query)
        routes.append((name, path, row.api))
    return routes


def test_every_account_asks_every_route_and_gets_2xx_only_where_the_matrix_lets_its_role_in(world):
    unauthorised = []
    routes = _plain_routes()
    for username, user in world["users"].items():
        role = _role_of(user)
        web = _visitor(world, username)
        api = Visitor(world["base"], token=world["tokens"][username])
        for name, path, is_api in routes:
            status, _content = (api if is_api else web).get(path)
            allowed = user.is_superuser or (role in MATRIX[name].roles)
            if 200 <= status < 300 and not allowed:
                unauthorised.append((username, name, status))
    assert len(routes) > 100
    assert unauthorised == []


def test_sequential_ids_across_programmes_answer_only_what_the_account_may_see(world):
    grievances = {g.pk: g for g in Grievance.objects.all()}
    attachments = {a.pk: a for a in Attachment.objects.select_related("grievance")}
    cases = {c.pk: c for c in SensitiveCase.objects.all()}
    references = [g.reference for g in grievances.values()] + [c.reference for c in cases.values()]
    leaks, granted = [], 0
    for username, user in world["users"].items():
        web = _visitor(world, username)
        api = Visitor(world["base"], token=world["tokens"][username])
        for pk in range(1, max(grievances) + 3):
            status, _ = web.get(reverse("grievances:detail", args=[pk]))
            if 200 <= status < 300:
                granted += 1
                if pk not in grievances or not user_can_see_grievance(user, grievances[pk]):
                    leaks.append((username, "grievance", pk))
            # The complainant's page, addressed by the same id (issue 18).
            status, _ = web.get(reverse("grievances:complainant", args=[pk]))
            if 200 <= status < 300 and (pk not in grievances or not user_can_see_grievance(user, grievances[pk])):
                leaks.append((username, "complainant", pk))
        for pk in range(1, max(attachments) + 3):
            status, _ = web.get(reverse("grievances:attachment_download", args=[pk]))
            if 200 <= status < 300 and (
                pk not in attachments
                or not user.has_perm("grievances.view_attachment")
                or not user_can_see_grievance(user, attachments[pk].grievance)
            ):
                leaks.append((username, "attachment", pk))
        for pk in range(1, max(cases) + 3):
            status, _ = web.get(reverse("grievances:sensitive_detail", args=[pk]))
            if 200 <= status < 300 and (pk not in cases or not user_can_see_sensitive_case(user, cases[pk])):
                leaks.append((username, "sensitive case", pk))
        for reference in references:
            status, _ = api.get(f"/api/v1/grievances/{reference}/")
            grievance = next((g for g in grievances.values() if g.reference == reference), None)
            if 200 <= status < 300 and (grievance is None or not user_can_see_grievance(user, grievance)):
                leaks.append((username, "api", reference))
    assert granted > 0  # the probe reaches files at all: a broken sign-in would pass vacuously
    assert leaks == []


def _downloads(grievance: Grievance) -> list[str]:
    return [
        reverse("reporting:dashboard_export", args=["csv"]),
        reverse("reporting:dashboard_export", args=["xlsx"]),
        reverse("grievances:queue_export", args=["toutes", "csv"]),
        reverse("grievances:queue_export", args=["toutes", "xlsx"]),
        reverse("grievances:detail", args=[grievance.pk]),
        f"/api/v1/grievances/{grievance.reference}/",
        "/api/v1/grievances/",
    ]


def _readable(world, username: str, paths: list[str]) -> dict[str, bytes]:
    web = _visitor(world, username)
    api = Visitor(world["base"], token=world["tokens"][username])
    pages = {}
    for path in paths:
        status, content = (api if path.startswith("/api/") else web).get(path)
        if 200 <= status < 300:
            pages[path] = content
    return pages


def _text(content: bytes) -> str:
    """A page's text; an XLSX download's, from the XML parts of its zip."""
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return content.decode("utf-8", "replace")


def _track(world, grievance: Grievance, identity: str) -> bytes:
    visitor = Visitor(world["base"])
    status, content = visitor.post_form(
        reverse("portal:track"), {"tracking_code": grievance.tracking_code, "identity": identity, "pin": ""}
    )
    assert status == 200
    return VOLATILE.sub("", content.decode())


def test_a_gbv_flag_leaves_no_marker_for_non_referents_and_tracking_unchanged(world):
    users = world["users"]
    grievance, cnie, phone = world["filed"][0]  # an AMO TADAMON file, first by programme code
    paths = [path for _name, path, _api in _plain_routes()] + _downloads(grievance)
    non_referents = [u for u in users if roles.GBV_REFERENT not in roles.role_codes_for(users[u])]
    before_tracking = {identity: _track(world, grievance, identity) for identity in (cnie, phone)}
    assert grievance.reference.encode() in before_tracking[cnie].encode()
    # A generic marker (the status's label) may already be on a page, in a filter's choices or
    # the API schema: a leak is a marker found more often after the flag than before.
    readable_before = {username: _readable(world, username, paths) for username in non_referents}

    agent = next(
        users[name]
        for name in ("agent", "agent.cnss", "agent.mef")
        if users[name].programme_scope().covers(grievance.programme_id)
    )
    case = wf.grievance_flag_sensitive(
        grievance=grievance, actor=agent, details=SensitiveDetails(nature=NATURE, referral_offered=True)
    )
    markers = [
        case.reference,
        NATURE,
        str(Grievance.Status.SENSITIVE.label),
        grievance.reference,
        grievance.tracking_code,
        cnie,
        phone,
    ]
    leaks = []
    for username in non_referents:
        before = readable_before[username]
        for path, content in _readable(world, username, paths).items():
            text, earlier = _text(content), _text(before.get(path, b""))
            leaks += [
                (username, path, marker) for marker in markers if marker and text.count(marker) > earlier.count(marker)
            ]
        assert readable_before[username], f"{username} read nothing at all"
    assert leaks == []
    after_tracking = {identity: _track(world, grievance, identity) for identity in (cnie, phone)}
    assert after_tracking == before_tracking
