"""The Chinese (and English) names of what third-party apps show in the admin.

The app configurations give the apps a translated name in place of their label ("Axes", "Knox",
"Otp_Totp" …; INSTALLED_APPS names these classes). The messages below are the third-party apps'
own msgids that they ship no Chinese for: marked here so `makemessages` puts them in our catalog,
whose translations (LOCALE_PATHS) come before the apps' own.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class KnoxConfig(AppConfig):
    name = "knox"
    verbose_name = _("API keys")


def _subclass(base: type[AppConfig], verbose_name: str) -> type[AppConfig]:
    return type(f"Portal{base.__name__}", (base,), {"verbose_name": verbose_name, "__module__": __name__})


def _axes() -> type[AppConfig]:
    from axes.apps import AppConfig as Axes

    return Axes


def _otp(plugin: str) -> type[AppConfig]:
    from importlib import import_module

    config: type[AppConfig] = import_module(f"django_otp.plugins.{plugin}.apps").DefaultConfig
    return config


AxesConfig = _subclass(_axes(), _("Sign-in attempts"))
TOTPConfig = _subclass(_otp("otp_totp"), _("Authenticator apps"))
StaticConfig = _subclass(_otp("otp_static"), _("Recovery codes"))


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
