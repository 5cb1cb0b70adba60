"""The Chinese (and English) names of what third-party apps show in the admin.

The app configurations give the apps a translated name in place of their label ("Axes", "Knox",
"Otp_Totp" …; INSTALLED_APPS names these classes). The messages below are the third-party apps'
own msgids that they ship no Chinese for: marked here so `makemessages` puts them in our catalog,
whose translations (LOCALE_PATHS) come before the apps' own.
"""

from typing import Any

from axes.apps import AppConfig as _Axes
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_static.apps import DefaultConfig as _Static
from django_otp.plugins.otp_totp.apps import DefaultConfig as _TOTP


def _named(config: AppConfig, model_name: str, singular: Any, plural: Any) -> None:
    """Names a third-party model in the portal's languages. Only the live names change: migrations
    read a model's declared Meta (`original_attrs`), so the app's own migrations stay as shipped."""
    meta = config.get_model(model_name)._meta
    meta.verbose_name, meta.verbose_name_plural = singular, plural


class KnoxConfig(AppConfig):
    name = "knox"
    verbose_name = _("API keys")

    def ready(self) -> None:
        super().ready()
        _named(self, "AuthToken", _("API key"), _("API keys"))


class AxesConfig(_Axes):
    verbose_name = _("Sign-in attempts")


class TOTPConfig(_TOTP):
    verbose_name = _("Authenticator apps")

    def ready(self) -> None:
        super().ready()
        _named(self, "TOTPDevice", _("authenticator app"), _("authenticator apps"))


class StaticConfig(_Static):
    verbose_name = _("Recovery codes")

    def ready(self) -> None:
        super().ready()
        _named(self, "StaticDevice", _("set of recovery codes"), _("sets of recovery codes"))


THIRD_PARTY_MESSAGES = (
    # django.contrib.admin (Django 5.2 ships no Chinese for these column headings of the index)
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # django-axes
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Logout Time"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Access lock out"),
    gettext_noop("Expires At"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
)
