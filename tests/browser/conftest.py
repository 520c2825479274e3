from urllib.parse import urlparse

import pytest

from pmpp import roles
from tests.factories import UserFactory


@pytest.fixture
def watched_page(page, live_server):
    """A page that records console errors and any request leaving the live server."""
    page.console_errors = []
    page.foreign_requests = []
    server_host = urlparse(live_server.url).netloc
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            urlparse(request.url).netloc not in ("", server_host) and page.foreign_requests.append(request.url)
        ),
    )
    return page


# Personas the browser scenarios need beyond those of tests/conftest.py. The partner liaison
# is declared in tests/grievances/conftest.py, which browser tests do not see.
@pytest.fixture
def hicham(db):
    """Partner liaison at MENPS, receives MASSAR data errors on Tayssir."""
    return UserFactory(username="hicham", role=roles.PARTNER_LIAISON, scopes=[("menps", "tayssir")])


@pytest.fixture
def aicha(db):
    """A second Chargée de clientèle at CNRA on Tayssir, working the same queue as salma."""
    return UserFactory(username="aicha", role=roles.AGENT, scopes=[("cdg-cnra", "tayssir")])
