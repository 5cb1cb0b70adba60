from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.admin import LargeTableMixin
from portal.http import client_ip

from .models import (
    Applicant,
    ApplicantQualification,
    BankAccount,
    ConflictOfInterest,
    IdentityCheck,
    Invitation,
    Notification,
    User,
)
from .permissions import signed_in_user
from .services import official_access, official_access_change_record


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Portal"), {"fields": ("display_name", "applicant", "is_applicant_admin", "email_verified_at")}),
        (_("Official"), {"fields": ("department", "official_role")}),
    )
    list_display = ("username", "display_name", "email", "applicant", "official_role", "department", "is_staff")
    list_filter = (*BaseUserAdmin.list_filter, "is_applicant_admin", "official_role", "department")
    list_select_related = ("applicant", "department")
    raw_id_fields = ("applicant",)
    search_fields = (*BaseUserAdmin.search_fields, "display_name", "applicant__name")

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        """An official's role, department and admin flags changed here are audit events too."""
        stored = User.objects.select_related("department").filter(pk=obj.pk).first() if change else None
        before = official_access(stored) if stored is not None else None
        super().save_model(request, obj, form, change)
        official_access_change_record(
            actor=signed_in_user(request), user=obj, before=before, ip_address=client_ip(request)
        )


class QualificationInline(admin.TabularInline):
    model = ApplicantQualification
    extra = 0
    fields = ("qualification", "level", "year", "certificate_number", "evidence", "evidence_name")


class BankAccountInline(admin.StackedInline):
    model = BankAccount
    extra = 0
    max_num = 1


class UserInline(admin.TabularInline):
    model = User
    extra = 0
    fields = ("username", "display_name", "email", "is_applicant_admin")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "identifier", "city", "industry", "size", "identity_verified_via", "created_at")
    list_filter = ("kind", "city", "size", "industry", "identity_verified_via")
    # The resident ID is personal information: searchable by an exact number, never listed whole.
    search_fields = ("name", "uscc", "=resident_id")
    # An identity is verified only through accounts/identity.py (audited), never by editing here.
    readonly_fields = ("created_at", "updated_at", "identity_verified_at", "identity_verified_via")
    inlines = [QualificationInline, BankAccountInline, UserInline]

    @admin.display(description=_("identifier"))
    def identifier(self, applicant: Applicant) -> str:
        return applicant.identifier_masked


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "applicant", "invited_by", "created_at", "accepted_at")
    list_select_related = ("applicant", "invited_by")
    exclude = ("token",)
    readonly_fields = ("applicant", "email", "invited_by", "created_at", "accepted_at")


@admin.register(Notification)
class NotificationAdmin(LargeTableMixin):
    """Millions of notifications: no full counts; a user's notifications by the exact username
    (the user's index, then the notifications' (user, created_at) index)."""

    list_display = ("subject", "user", "created_at", "read_at", "emailed_at")
    list_select_related = ("user",)
    list_only = ("subject", "created_at", "read_at", "emailed_at", "user__username", "user__display_name")
    raw_id_fields = ("user",)
    search_fields = ("user__username",)  # the search itself is indexed_search
    search_help_text = _("A username, exactly.")

    def indexed_search(self, term: str) -> Q | None:
        return Q(user__username=term)


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    """Declared conflicts: the official may not act on the applicant's applications."""

    list_display = ["official", "applicant", "note", "declared_at"]
    list_select_related = ["official", "applicant"]
    autocomplete_fields = ["official", "applicant"]
    search_fields = ["official__username", "applicant__name", "applicant__uscc"]


@admin.register(IdentityCheck)
class IdentityCheckAdmin(admin.ModelAdmin):
    """Read only: officials decide at /accounts/verifications/ (accounts/identity.py, audited)."""

    list_display = ("created_at", "kind", "status", "applicant", "name", "requested_by", "decided_by", "decided_at")
    list_filter = ("status", "kind")
    list_select_related = ("applicant", "requested_by", "decided_by")
    search_fields = ("applicant__uscc", "name", "requested_by__username")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
