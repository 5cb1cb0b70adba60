from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    """Budgets (预算): each incentive's allocation per fiscal year; committed plus paid never exceed it."""

    name = "budgets"
    verbose_name = _("Budgets")
