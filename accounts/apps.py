from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Identities: users and (in later issues) enterprises, individuals and official roles.

    None of measures/applications/awards owns "who someone is", so it has its own app.
    """

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from .sessions import on_user_logged_in
        from .throttling import login_failure_audit

        # After django-axes' own receivers (installed before this app): the request then carries
        # the address and whether the attempt was refused for lockout.
        user_login_failed.connect(login_failure_audit, dispatch_uid="accounts.login_failure_audit")
        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.session_start")
        # Signal receivers: the second factor's sign-in note, API keys revoked on credential changes.
        from . import tokens, two_factor  # noqa: F401
