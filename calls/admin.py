"""Calls in the Django admin, for administrators: the same form and service as the officials' page
(/calls/manage/), so every change is checked and audited."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.permissions import is_administrator, signed_in_user
from portal.http import client_ip

from .forms import CallForm
from .models import Call, CallNotification
from .services import CallError, call_problems, call_save


class CallAdminForm(CallForm):
    class Meta(CallForm.Meta):
        widgets = {"incentives": forms.CheckboxSelectMultiple}  # the admin's own date and time widgets

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        checked = ["opens_at", "closes_at", "reference_from", "reference_to", "reference_date_field", "money_available"]
        probe = Call(**{name: cleaned.get(name) for name in checked})
        problems = call_problems(probe, list(cleaned.get("incentives") or []))
        if problems:
            raise ValidationError(dict(problems))
        return cleaned


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    form = CallAdminForm
    list_display = ["title", "fiscal_year", "opens_at", "closes_at", "status_label", "review_path"]
    list_filter = ["fiscal_year", "review_path"]
    search_fields = ["title", "title_en"]
    readonly_fields = ["opened_notified_at", "closing_notified_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # applications hold their call: a published call is corrected, never removed

    def save_model(self, request: HttpRequest, obj: Call, form: Any, change: bool) -> None:
        upload = request.FILES.get("notice_pdf")
        if obj.pk is not None:
            stored = Call.objects.filter(pk=obj.pk).values_list("notice_pdf", flat=True).first()
            obj.notice_pdf = stored or ""
        else:
            obj.notice_pdf = ""
        try:
            call_save(
                actor=signed_in_user(request),
                call=obj,
                incentives=form.cleaned_data["incentives"],
                notice_pdf=upload,
                ip_address=client_ip(request),
            )
        except CallError as refused:  # the form's clean() ran the same checks: only a PDF refused lands here
            raise ValidationError(refused.message) from refused

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The incentives were set by call_save."""


@admin.register(CallNotification)
class CallNotificationAdmin(admin.ModelAdmin):
    list_display = ["call", "applicant", "kind", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["call", "applicant"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
