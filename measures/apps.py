from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    """The policy catalog: the document, its chapters and measures, incentives, amounts, targets."""

    name = "measures"
    verbose_name = _("Policy catalog")

    def ready(self) -> None:
        from .catalog_loader import load_catalog_after_migrate

        # Loading after every migrate (and after the test runner's flush, which emits the same
        # signal) puts the catalog in any new database; the loader only adds what is missing,
        # so an administrator's edits are never overwritten.
        post_migrate.connect(load_catalog_after_migrate, sender=self)
