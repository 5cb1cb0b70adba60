"""API shapes for registration and the applicant's own profile. Input serializers only parse;
the services validate the rules and save. The resident ID and the account number are masked."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from measures.vocabulary import EnterpriseSize, GuangdongCity, IndustryDivision, Qualification

from . import selectors
from .models import PASSWORD_MAX, Applicant, ApplicantQualification, BankAccount, User


class EnterpriseRegistrationSerializer(serializers.Serializer):
    uscc = serializers.CharField(max_length=40, help_text="Unified social credit code (18 characters).")
    name = serializers.CharField(max_length=200)
    city = serializers.ChoiceField(choices=GuangdongCity.choices)
    industry = serializers.ChoiceField(choices=IndustryDivision.choices, help_text="GB/T 4754 division, 13–43.")
    size = serializers.ChoiceField(choices=EnterpriseSize.choices)
    district = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_person = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=PASSWORD_MAX, style={"input_type": "password"}
    )


class IndividualRegistrationSerializer(serializers.Serializer):
    resident_id = serializers.CharField(max_length=40, help_text="Resident identity card number (18 characters).")
    name = serializers.CharField(max_length=200)
    employer_uscc = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=PASSWORD_MAX, style={"input_type": "password"}
    )


class UserSerializer(serializers.ModelSerializer):
    email_verified = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "email_verified", "is_applicant_admin"]
        read_only_fields = fields

    def get_email_verified(self, user: User) -> bool:
        return user.email_verified_at is not None


class ApplicantSerializer(serializers.ModelSerializer):
    # A plain string in the schema: the ApplicantType enum is already named by the catalog's `applicant_type`.
    kind = serializers.CharField(read_only=True, help_text="`organisation` or `individual` (as `applicant_type`).")
    identifier = serializers.CharField(
        source="identifier_masked",
        read_only=True,
        help_text="The credit code, or the resident ID masked (first 6 and last 4 characters).",
    )
    # Blank for individuals: the schema says so (an enum plus "").
    industry = serializers.ChoiceField(choices=IndustryDivision.choices, allow_blank=True, read_only=True)
    size = serializers.ChoiceField(choices=EnterpriseSize.choices, allow_blank=True, read_only=True)
    revenue_cn = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, read_only=True)
    revenue_world = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, read_only=True)
    identity_verified = serializers.BooleanField(
        read_only=True,
        help_text="Whether the applicant may submit as who it says it is: an enterprise once an official checked "
        "its business licence or its legal person signed in with the government identity; an individual always.",
    )
    identity_verified_via = serializers.CharField(
        read_only=True, help_text="`sso`, `official`, `reviewed` (applied before identity checks began), or empty."
    )
    identity_verified_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Applicant
        fields = [
            "kind",
            "name",
            "identifier",
            "employer_uscc",
            "city",
            "district",
            "industry",
            "size",
            "contact_person",
            "contact_phone",
            "revenue_year",
            "revenue_cn",
            "revenue_world",
            "identity_verified",
            "identity_verified_via",
            "identity_verified_at",
        ]
        read_only_fields = fields


class CompletenessSerializer(serializers.Serializer):
    percent = serializers.IntegerField()
    missing = serializers.ListField(child=serializers.CharField())


class MeSerializer(serializers.Serializer):
    user = UserSerializer()
    applicant = ApplicantSerializer()
    completeness = CompletenessSerializer()


class ApplicantChangesSerializer(serializers.Serializer):
    """Editable profile facts; every field optional (PATCH). The services check the rules."""

    city = serializers.CharField(max_length=50, required=False, allow_blank=True)
    district = serializers.CharField(max_length=50, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=50, required=False, allow_blank=True)
    size = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_person = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    revenue_year = serializers.IntegerField(required=False, allow_null=True)
    revenue_cn = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=0, required=False, allow_null=True, coerce_to_string=True
    )
    revenue_world = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=0, required=False, allow_null=True, coerce_to_string=True
    )
    employer_uscc = serializers.CharField(max_length=40, required=False, allow_blank=True)

    def to_internal_value(self, data: object) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {field: [_("This field cannot be changed here.")] for field in sorted(unknown)}
                )
        cleaned: dict[str, Any] = super().to_internal_value(data)
        return cleaned


class UserChangesSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False)

    def to_internal_value(self, data: object) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {field: [_("This field cannot be changed here.")] for field in sorted(unknown)}
                )
        cleaned: dict[str, Any] = super().to_internal_value(data)
        return cleaned


class MeChangesSerializer(serializers.Serializer):
    user = UserChangesSerializer(required=False)
    applicant = ApplicantChangesSerializer(required=False)


class QualificationSerializer(serializers.ModelSerializer):
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = ApplicantQualification
        fields = ["id", "qualification", "level", "year", "certificate_number", "evidence_name", "evidence_url"]
        read_only_fields = fields

    def get_evidence_url(self, record: ApplicantQualification) -> str | None:
        if not record.evidence:
            return None
        return reverse("accounts:qualification_evidence", args=[record.pk])


class QualificationInputSerializer(serializers.Serializer):
    qualification = serializers.ChoiceField(choices=Qualification.choices)
    level = serializers.ChoiceField(
        choices=ApplicantQualification.Level.choices, default=ApplicantQualification.Level.NATIONAL
    )
    year = serializers.IntegerField()
    certificate_number = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    evidence = serializers.FileField(
        required=False, allow_null=True, allow_empty_file=True, help_text="PDF, JPEG or PNG, at most 20 MB (multipart)."
    )


class BankAccountSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="account_number_masked", read_only=True)

    class Meta:
        model = BankAccount
        fields = ["account_name", "bank_name", "account_number", "updated_at"]
        read_only_fields = fields


class BankAccountInputSerializer(serializers.Serializer):
    account_name = serializers.CharField(max_length=200)
    bank_name = serializers.CharField(max_length=200)
    account_number = serializers.CharField(max_length=40, help_text="8 to 30 digits.")


def me_payload(user: User) -> dict:
    applicant = selectors.applicant_of(user)
    percent, missing = selectors.profile_completeness(applicant)
    return {"user": user, "applicant": applicant, "completeness": {"percent": percent, "missing": missing}}
