"""One rule for the client's address (portal/http.py): a forged X-Forwarded-For is ignored unless
the portal is configured to sit behind that many trusted proxies."""

import pytest
from django.test import RequestFactory

from portal.http import client_ip


@pytest.mark.parametrize(
    ("num_proxies", "forwarded", "expected"),
    [
        (None, None, "192.0.2.1"),
        (None, "203.0.113.66", "192.0.2.1"),  # no proxy configured: the header is the client's own claim
        (1, "203.0.113.66", "203.0.113.66"),  # one TLS proxy in front: it appends the real client
        (1, "10.9.9.9, 203.0.113.66", "203.0.113.66"),  # a forged first hop is ignored
        (2, "10.9.9.9, 203.0.113.66, 198.51.100.3", "203.0.113.66"),
        (1, "not-an-address", None),
    ],
)
def test_the_client_address(settings, num_proxies, forwarded, expected) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", **headers)
    assert client_ip(request) == expected
