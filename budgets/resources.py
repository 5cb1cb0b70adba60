"""Budgets imported and exported in the admin (django-import-export); every allocation goes through the service."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import Result

from accounts.models import User
from measures.models import Incentive
from portal.spreadsheets import neutralise

from .models import Budget
from .services import BudgetError, budget_problems, budget_set


class BudgetResource(resources.ModelResource):
    """Budgets as a spreadsheet: incentive code, fiscal year, allocation (imported), committed,
    paid and remaining (exported only). Text cells are neutralised against formula injection."""

    incentive = fields.Field(
        attribute="incentive", column_name="incentive", widget=widgets.ForeignKeyWidget(Incentive, field="code")
    )
    incentive_name = fields.Field(attribute="incentive__name", column_name="incentive name", readonly=True)
    fiscal_year = fields.Field(attribute="fiscal_year", column_name="fiscal year", widget=widgets.IntegerWidget())
    allocation = fields.Field(attribute="allocation", column_name="allocation", widget=widgets.DecimalWidget())
    committed = fields.Field(attribute="committed", column_name="committed", readonly=True)
    paid = fields.Field(attribute="paid", column_name="paid", readonly=True)
    remaining = fields.Field(column_name="remaining", readonly=True)

    class Meta:
        model = Budget
        fields = ("incentive", "incentive_name", "fiscal_year", "allocation", "committed", "paid", "remaining")
        import_id_fields = ("incentive", "fiscal_year")
        skip_unchanged = True
        use_transactions = True
        clean_model_instances = True

    _actor: User | None = None  # who imports: import_data's `user`

    def get_queryset(self) -> Any:
        return Budget.objects.select_related("incentive")

    def dehydrate_remaining(self, budget: Budget) -> Decimal | None:
        if budget.allocation is None:
            return None
        return budget.allocation - (budget.committed or 0) - (budget.paid or 0)

    def get_or_init_instance(self, instance_loader: Any, row: Any) -> Any:
        code = str(row.get("incentive") or "").strip()
        incentive = Incentive.objects.filter(code=code).first()
        if incentive is None:
            raise ValidationError(
                {"incentive": [_("“%(code)s” is not the code of an incentive that pays money.") % {"code": code[:60]}]}
            )
        return super().get_or_init_instance(instance_loader, row)

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        return neutralise(super().export_field(field, instance, **kwargs))

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        allocation = getattr(instance, "allocation", None)
        if allocation is not None and getattr(instance, "incentive_id", None):
            used = (instance.committed or Decimal(0)) + (instance.paid or Decimal(0))
            for name, messages in budget_problems(
                incentive=instance.incentive, allocation=allocation, used=used
            ).items():
                errors.setdefault(name, messages)
        if errors:
            raise ValidationError(errors)
        # The model's own checks (unique together is the import id; the service locks the row).
        super().validate_instance(instance, None, validate_unique=False)

    def do_instance_save(self, instance: Any, is_create: bool) -> None:  # type: ignore[override]  # the stub lacks import-export 4's is_create
        actor = self._actor
        if actor is None:  # no signed-in user passed to the import: budget_set's own refusal
            raise ValidationError({"allocation": [_("Only finance officers set budgets.")]})
        try:
            saved = budget_set(
                actor=actor,
                incentive=instance.incentive,
                fiscal_year=instance.fiscal_year,
                allocation=instance.allocation,
            )
        except BudgetError as refused:
            raise ValidationError({"allocation": [refused.message]}) from None
        instance.pk = saved.pk

    def import_data(
        self,
        dataset: Any,
        dry_run: bool = False,
        raise_errors: bool = False,
        use_transactions: bool | None = None,
        collect_failed_rows: bool = False,
        rollback_on_validation_errors: bool = False,
        **kwargs: Any,
    ) -> Result:
        user = kwargs.get("user")
        self._actor = user if isinstance(user, User) else None
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=use_transactions,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=rollback_on_validation_errors,
            **kwargs,
        )
