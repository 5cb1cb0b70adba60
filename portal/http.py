"""The client's address, decided once for every page, API view, throttle and audit event."""

import ipaddress
from typing import Any

from rest_framework.settings import api_settings


def client_ip(request: Any) -> str | None:
    """REMOTE_ADDR; behind trusted proxies (REST framework's NUM_PROXIES), the address that many
    hops back in X-Forwarded-For. A client-sent X-Forwarded-For alone is ignored, so nobody picks
    their own address (REST framework's own default would believe it). None when not an address."""
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = api_settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        address = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None
