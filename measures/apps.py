from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
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

        from .caching import catalog_changed

        # Any change to the catalog makes the cached public pages and API answers stale.
        for model in self.get_models(include_auto_created=True):
            post_save.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-save-{model._meta.label}")
            post_delete.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-delete-{model._meta.label}")
            m2m_changed.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-m2m-{model._meta.label}")
