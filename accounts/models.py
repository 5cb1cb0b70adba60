"""Identities: users, applicants (申报主体: an enterprise or an individual), their profile facts,
bank accounts and in-portal notifications."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from measures.vocabulary import ApplicantType, EnterpriseSize, GuangdongCity, IndustryDivision, Qualification

from .identifiers import mask_account_number, mask_resident_id


class IdentityMethod(models.TextChoices):
    """How an enterprise's identity (its credit code and name) was established."""

    SSO = "sso", _("Verified by government single sign-on")
    OFFICIAL = "official", _("Verified by an official against the business licence")
    # Enterprises that had applied before identity checks began: their applications were reviewed.
    REVIEWED = "reviewed", _("Verified by the review of its earlier applications")


class Applicant(models.Model):
    """Who claims incentives: an enterprise (统一社会信用代码) or an individual (居民身份证号码).

    One model for both, so applications, qualifications and bank accounts have one owner type;
    the fields of the other kind stay empty (checked by constraints).
    """

    kind = models.CharField(_("applicant type"), max_length=16, choices=ApplicantType.choices)
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True, unique=True)
    # Personal information: shown masked everywhere except where a task needs it.
    resident_id = models.CharField(
        _("resident identity card number"), max_length=18, null=True, blank=True, unique=True
    )
    employer_uscc = models.CharField(_("employer's credit code"), max_length=18, blank=True)
    city = models.CharField(_("city"), max_length=16, choices=GuangdongCity.choices, blank=True)
    district = models.CharField(_("district or county"), max_length=50, blank=True)
    industry = models.CharField(_("industry"), max_length=2, choices=IndustryDivision.choices, blank=True)
    size = models.CharField(_("size"), max_length=8, choices=EnterpriseSize.choices, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    revenue_year = models.PositiveSmallIntegerField(_("financial year of the revenue figures"), null=True, blank=True)
    revenue_cn = models.DecimalField(
        _("revenue in China last year (CNY)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    revenue_world = models.DecimalField(
        _("worldwide revenue last year (CNY)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    # An enterprise's identity (accounts/identity.py): until verified it may prepare drafts but not
    # submit, and a real company may claim its credit code. Individuals are not checked this way.
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    identity_verified_via = models.CharField(
        _("identity verified by"), max_length=16, choices=IdentityMethod.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=ApplicantType.ORGANISATION) & Q(uscc__isnull=False) & Q(resident_id__isnull=True))
                | (Q(kind=ApplicantType.INDIVIDUAL) & Q(resident_id__isnull=False) & Q(uscc__isnull=True)),
                name="applicant_identifier_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_enterprise(self) -> bool:
        return self.kind == ApplicantType.ORGANISATION

    @property
    def identity_verified(self) -> bool:
        """Whether the applicant may submit as who it says it is: an enterprise once its credit code
        and name are verified; an individual always (identified by the resident ID)."""
        return not self.is_enterprise or self.identity_verified_at is not None

    @property
    def identifier_masked(self) -> str:
        return (self.uscc or "") if self.is_enterprise else mask_resident_id(self.resident_id or "")


class OfficialRole(models.TextChoices):
    HANDLER = "handler", _("Department handler")  # 经办人
    APPROVER = "approver", _("Department approver")  # 审核人
    FINANCE = "finance", _("Finance officer")  # 省财政厅
    # A prefecture-level city's bureau (地市局), first review of calls whose path says so (地市初审推荐).
    CITY_HANDLER = "city_handler", _("City bureau handler")
    CITY_APPROVER = "city_approver", _("City bureau approver")
    ADMINISTRATOR = "administrator", _("Administrator")


# The longest password a form or the API takes: hashing a longer one costs the server more and
# protects no better.
PASSWORD_MAX = 128


class User(AbstractUser):
    """A person who signs in: an applicant's user, an official or an administrator."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    # Officials belong to one department and hold one role there; applicants' users have neither.
    department = models.ForeignKey(
        "measures.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
        verbose_name=_("department"),
    )
    official_role = models.CharField(_("official role"), max_length=16, choices=OfficialRole.choices, blank=True)
    # City bureau officials: the city whose applicants (by their registered city) they review first.
    city = models.CharField(_("city"), max_length=16, choices=GuangdongCity.choices, blank=True)
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("applicant")
    )
    # The enterprise's first user administers it and may invite colleagues.
    is_applicant_admin = models.BooleanField(_("administers the applicant's account"), default=False)
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    # The government identity provider's subject ("sub") of a user who signs in by single sign-on.
    sso_subject = models.CharField(_("single sign-on subject"), max_length=255, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # An official is never also an applicant's user.
            models.CheckConstraint(
                condition=Q(official_role="") | Q(applicant__isnull=True), name="official_is_not_an_applicant"
            ),
            # One account per address, whatever its case (Name@Example.com is name@example.com);
            # officials created without an address are not counted.
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="user_email_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_official(self) -> bool:
        return bool(self.official_role)

    @property
    def is_city_official(self) -> bool:
        return self.official_role in (OfficialRole.CITY_HANDLER, OfficialRole.CITY_APPROVER) and bool(self.city)


class ConflictOfInterest(models.Model):
    """An official's declared conflict with an applicant: they may not act on its applications."""

    official = models.ForeignKey(User, on_delete=models.CASCADE, related_name="conflicts")
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="conflicts")
    note = models.CharField(_("note"), max_length=300, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["official", "applicant"], name="conflict_once")]

    def __str__(self) -> str:
        return f"{self.official} ≠ {self.applicant}"


class ApplicantQualification(models.Model):
    """A title or award the applicant holds (单项冠军, 小巨人, 中国质量奖…), with its evidence."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        MUNICIPAL = "municipal", _("Municipal")

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="qualifications")
    qualification = models.CharField(_("qualification"), max_length=40, choices=Qualification.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.NATIONAL)
    year = models.PositiveSmallIntegerField(_("year obtained"))
    certificate_number = models.CharField(_("certificate number"), max_length=80, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="qualifications/%Y/", blank=True)
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["-year", "qualification"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "qualification", "year"], name="qualification_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.get_qualification_display()} ({self.year})"


class ApplicantDeclaration(models.Model):
    """The applicant's own answer to a declaration criterion ("已获批筹建", "服务在目录内"…): yes or
    no, dated and signed by the user who gave it. Officials see it as the applicant's declaration
    and check it; the latest answer counts (earlier ones are in the audit trail)."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="declarations")
    criterion = models.ForeignKey(
        "measures.EligibilityCriterion", on_delete=models.CASCADE, related_name="declarations"
    )
    holds = models.BooleanField(_("the condition holds"))
    # The words declared, as the applicant read them (the catalog's text may change later).
    text = models.CharField(_("condition declared"), max_length=300)
    declared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(_("declared at"))

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "criterion"], name="declaration_once_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.criterion_id} {self.holds}"


class BankAccount(models.Model):
    """Where awards are paid. The account name must equal the applicant's name (checked by the service)."""

    applicant = models.OneToOneField(Applicant, on_delete=models.CASCADE, related_name="bank_account")
    account_name = models.CharField(_("account name"), max_length=200)
    bank_name = models.CharField(_("bank and branch"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number_masked}"

    @property
    def account_number_masked(self) -> str:
        return mask_account_number(self.account_number)


class Invitation(models.Model):
    """An enterprise administrator invites a colleague to the enterprise's account."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email


class Notification(models.Model):
    """A message in the portal's inbox; also sent by email through Celery (once: `emailed_at`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    # The facts the message is about, as [label, value] pairs already in `language` (the email lists them).
    facts = models.JSONField(_("facts"), default=list, blank=True)
    # The language the subject, body and facts were written in: the email's greeting and signature follow it.
    language = models.CharField(_("language"), max_length=10, default="zh-hans", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.subject


class IdentityCheck(models.Model):
    """A request that an official check a business licence (营业执照) against a credit code and name:
    an enterprise verifying itself before its first submission, or a claim by a real company on a
    credit code someone else registered. Its status moves only through accounts/workflow.py."""

    class Kind(models.TextChoices):
        VERIFICATION = "verification", _("Verification of the enterprise")
        CLAIM = "claim", _("Claim of a registered credit code")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an official")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="identity_checks", verbose_name=_("applicant")
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="identity_checks", verbose_name=_("requested by")
    )
    name = models.CharField(_("name on the business licence"), max_length=200)
    licence = models.FileField(_("business licence"), upload_to="licences/%Y/")
    licence_name = models.CharField(_("file name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("identity check")
        verbose_name_plural = _("identity checks")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            # One open request per person and enterprise: a second upload replaces nothing silently.
            models.UniqueConstraint(
                fields=["applicant", "requested_by"],
                condition=Q(status="pending"),
                name="identity_check_one_pending_per_requester",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.applicant.uscc}"
