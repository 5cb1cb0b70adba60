from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Identities: users and (in later issues) enterprises, individuals and official roles.

    None of measures/applications/awards owns "who someone is", so it has its own app.
    """

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Signal receivers: the second factor's sign-in note, API keys revoked on credential changes.
        from . import tokens, two_factor  # noqa: F401
