"""Who is asking: the client's address, for the public pages' limits and the login lockout."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The visitor's address; behind a proxy, from the header it sets (PMPP_CLIENT_ADDRESS_HEADER).

    Of X-Forwarded-For only the last entry is taken: the one the trusted proxy added,
    which the client cannot forge.
    """
    header = settings.PMPP_CLIENT_ADDRESS_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        last = value.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")
