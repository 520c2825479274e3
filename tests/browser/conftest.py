from urllib.parse import urlparse

import pytest


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
