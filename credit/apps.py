from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    """Credit (信用): the list of seriously dishonest entities, screening against it, and the
    applicants' credit commitments. Below applications: the apps above call its screening."""

    name = "credit"
    verbose_name = _("Credit")
