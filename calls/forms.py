"""The officials' form for a call, shared by the Django admin: it only parses; calls.services owns the rules."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_administrator
from measures.models import Incentive
from portal.forms import DateBox
from portal.money import MoneyField
from portal.uploads import UploadRefused, file_format

from .models import Call

MINUTE = "%Y-%m-%dT%H:%M"


GUIDANCE_MAX = 20_000


class CallForm(forms.ModelForm):
    money_available = MoneyField(label=_("Money available (CNY)"), required=False)
    guidance = forms.CharField(
        label=_("guidance (Chinese)"), required=False, max_length=GUIDANCE_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    guidance_en = forms.CharField(
        label=_("guidance (English)"), required=False, max_length=GUIDANCE_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )

    class Meta:
        model = Call
        fields = [
            "incentives",
            "fiscal_year",
            "title",
            "title_en",
            "guidance",
            "guidance_en",
            "notice_pdf",
            "opens_at",
            "closes_at",
            "reference_from",
            "reference_to",
            "reference_date_field",
            "review_path",
            "expert_review",
            "site_check",
            "experts_per_application",
            "money_available",
            "max_awards",
            "allocation",
            "contact_name",
            "contact_phone",
            "payment_days",
        ]
        widgets = {
            "incentives": forms.CheckboxSelectMultiple,
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=MINUTE),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=MINUTE),
            "reference_from": DateBox(),
            "reference_to": DateBox(),
        }
        help_texts = {
            "opens_at": _("Beijing time, to the minute."),
            "closes_at": _("Beijing time, to the minute: from this minute on, submissions are refused."),
            "reference_date_field": _(
                "Optional. Leave empty to check the form's only date field; or name it, "
                "e.g. claim.standards[].published_on."
            ),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        incentives = self.fields["incentives"]
        assert isinstance(incentives, forms.ModelMultipleChoiceField)
        queryset = Incentive.objects.select_related("measure").order_by("measure__number", "position")
        if user is not None and not is_administrator(user):
            queryset = queryset.filter(handling_department_id=user.department_id)
        incentives.queryset = queryset
        for name in ("opens_at", "closes_at"):
            field = self.fields[name]
            if isinstance(field, forms.DateTimeField):  # the admin's is a split date and time
                field.input_formats = [MINUTE, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        pdf = self.fields["notice_pdf"]
        pdf.widget.attrs["accept"] = ".pdf"

    def clean_notice_pdf(self) -> Any:
        upload = self.cleaned_data.get("notice_pdf")
        if isinstance(upload, UploadedFile):
            try:
                file_format(
                    upload, accepted={"pdf"}, refused_message=gettext_now("The published notice must be a PDF file.")
                )
            except UploadRefused as refused:
                raise forms.ValidationError(refused.message, code=refused.code) from None
        return upload
