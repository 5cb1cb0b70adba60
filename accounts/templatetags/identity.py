"""`{% sso_enabled as sso %}`: whether the government single sign-on is configured (accounts/oidc.py),
for pages rendered by views we do not own (Django's sign-in page)."""

from django import template

from accounts.oidc import sso_enabled as _sso_enabled

register = template.Library()


@register.simple_tag
def sso_enabled() -> bool:
    return _sso_enabled()
