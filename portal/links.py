"""Full addresses of the portal's pages, for whatever leaves it: emails, PDF notices, QR codes.

Always SITE_URL (required in production), never the request's Host header: a link in a notice or a
password-reset email must point to the portal whoever asked for it and however the request came in.
"""

from django.conf import settings


def site_url(path: str = "/") -> str:
    """SITE_URL followed by `path` (a path inside the portal, e.g. from `reverse`)."""
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")
