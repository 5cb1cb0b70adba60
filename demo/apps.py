from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo world of `make run` (`manage.py demo_data`), built through every app's services.

    The top of the layering: it may use every app, and no app uses it."""

    name = "demo"
    verbose_name = _("Demo data")
