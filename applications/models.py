"""Applications (申报) for incentives, their documents and their reference numbers."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Applicant
from calls.models import Call
from measures.models import Department, Incentive, RequiredDocument
from measures.vocabulary import GuangdongCity

from .states import CLOSED_STATUSES, OPEN_STATUSES, Status

NO_DUE_DATE = dt.date(9999, 12, 31)


def queue_due_date() -> Case:
    """The review queue's deadline: an open application's current due date; the rest, after them."""
    return Case(
        # Lookups in name order, plain strings, no field instance: the autodetector compares the
        # index's expression with the migration's by identity, which sees each as a change.
        When(stage_due_on__isnull=False, status__in=tuple(str(s) for s in OPEN_STATUSES), then=F("stage_due_on")),
        default=Value(NO_DUE_DATE),  # a date: the Case is a DateField (no output_field: see above)
    )


def queue_due_date_within_status() -> Case:
    """The same dates as `queue_due_date`, written differently, for the index that leads with the
    status (the status tabs). With one expression for both, the planner answered "status = paid"
    from the deadline index, where the closed applications lie at the far end behind every open
    one (120 ms at 1,000,000 applications); this one only the status index has."""
    return Case(
        When(status__in=tuple(str(s) for s in OPEN_STATUSES), then=Coalesce(F("stage_due_on"), Value(NO_DUE_DATE))),
        default=Value(NO_DUE_DATE),
    )


def arrival() -> Coalesce:
    """When an application reached the department: submitted, or made (an offer is never submitted)."""
    return Coalesce(F("submitted_at"), F("created_at"))


class Application(models.Model):
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="applications")
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="applications")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    # The call for applications (申报通知) it answers: set when the incentive has calls (draft: the
    # one open or next for its year; at submission: the open one). Empty for incentives without
    # calls and for proactive offers (免申即享), which need none.
    call = models.ForeignKey(
        Call,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("call for applications"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Assigned at submission: QB-<year>-<measure>-<sequence>, no gaps, no duplicates.
    reference = models.CharField(_("reference number"), max_length=30, unique=True, null=True, blank=True)
    # The form's answers, keyed by the incentive's form definition (see applications.forms_schema).
    data = models.JSONField(_("answers"), default=dict, blank=True)
    estimated_amount = models.DecimalField(
        _("estimated amount (CNY)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    amount_trace = models.JSONField(_("how the amount was reached"), default=dict, blank=True)
    supplement_request = models.TextField(_("what the department asks for"), blank=True)
    supplement_deadline = models.DateField(_("supplement deadline"), null=True, blank=True)
    # Review (审核): who works it, until when, and the decision proposed and confirmed.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("handler"),
    )
    stage_due_on = models.DateField(_("current stage due on"), null=True, blank=True)
    # When the application entered its current status (stamped by every transition): the start of
    # the stage a StageRecord measures when the application leaves it.
    status_changed_at = models.DateTimeField(_("in this status since"), null=True, blank=True)
    checklist = models.JSONField(_("review checklist"), default=dict, blank=True)
    proposed_amount = models.DecimalField(
        _("proposed amount (CNY)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    amount_override_reason = models.TextField(_("reason for changing the amount"), blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    # The city bureau's first review (地市初审推荐), for calls whose review path is "city_first": its
    # proposal (recommend or not, with reasons) and the second official who signed it (four-eyes).
    city_recommended = models.BooleanField(_("recommended by the city bureau"), null=True, blank=True)
    city_reasons = models.TextField(_("the city bureau's reasons"), blank=True)
    city_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city recommendation proposed by"),
    )
    city_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city recommendation signed by"),
    )
    city_decided_at = models.DateTimeField(_("city recommendation signed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Bumped by every change: a form or API client sends it back to detect a concurrent edit.
    version = models.PositiveIntegerField(default=1)

    # What a list of applications leaves out (`defer`) when it shows none of them: they are the row's bulk.
    HEAVY_FIELDS = ("data", "amount_trace", "checklist")

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "incentive", "fiscal_year"],
                condition=~Q(status__in=CLOSED_STATUSES),
                name="one_open_application_per_incentive_and_year",
            )
        ]
        indexes = [
            models.Index(fields=["applicant", "status"]),
            models.Index(fields=["incentive", "status"]),
            models.Index(fields=["status", "stage_due_on"]),
            # The review queue's keysets (applications/review_selectors.py SORTS), one per sort,
            # and with the status first for the status tabs; the open ones' counts by incentive.
            models.Index(queue_due_date(), F("id"), name="application_queue_deadline"),
            models.Index(F("status"), queue_due_date_within_status(), F("id"), name="application_queue_status"),
            models.Index(arrival(), F("id"), name="application_queue_arrival"),
            models.Index(
                fields=["incentive", "status"], condition=Q(status__in=OPEN_STATUSES), name="application_open_work"
            ),
            # Dashboards' "open and past due" per year (and department, through the incentive),
            # read from the index alone: only the open applications (~5%) are in it.
            models.Index(
                fields=["fiscal_year", "stage_due_on", "incentive"],
                condition=Q(status__in=OPEN_STATUSES),
                name="application_open_due",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"draft #{self.pk}"

    @classmethod
    def heavy_fields(cls, through: str = "") -> list[str]:
        """HEAVY_FIELDS, reached from another model (`through="application__"`) or not."""
        return [f"{through}{name}" for name in cls.HEAVY_FIELDS]


def document_path(instance: "ApplicationDocument", filename: str) -> str:
    # Stored under a random name; the cleaned original name is kept in the row for display.
    return f"applications/{instance.application_id}/{instance.stored_name}"


class ApplicationDocument(models.Model):
    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        OFD = "ofd", "OFD"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    required_document = models.ForeignKey(
        RequiredDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document type"),
    )
    file = models.FileField(upload_to=document_path)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(_("file name"), max_length=200)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Documents added while answering a supplement request are marked so officials see what is new.
    for_supplement = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ReviewComment(models.Model):
    """An internal comment of officials on an application; never shown to the applicant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:50]


class Notice(models.Model):
    """An official letter (通知书) as a PDF, with a reference number and a verification code.

    One notice per application, kind and triggering audit event: a retried generation task
    finds the existing one instead of making a second.
    """

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", _("Acceptance notice")  # 受理通知书
        SUPPLEMENT = "supplement", _("Supplement request notice")  # 补正通知书
        REFUSAL = "refusal", _("Notice of refusal to accept")  # 不予受理通知书
        DECISION_SUPPORT = "decision_support", _("Decision notice: support")  # 决定通知书（支持）
        DECISION_REJECT = "decision_reject", _("Decision notice: not supported")  # 决定通知书（不予支持）
        LAPSE = "lapse", _("Notice of lapse")
        DISBURSEMENT = "disbursement", _("Disbursement notice")  # 拨付通知书
        RECOVERY = "recovery", _("Recovery notice")  # 追回通知书

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    event_sequence = models.PositiveBigIntegerField(_("audit event"))
    number = models.CharField(_("notice number"), max_length=40, unique=True)
    verification_code = models.CharField(_("verification code"), max_length=20, unique=True)
    department_name = models.CharField(_("issuing department"), max_length=100)
    # What the notice says, kept as data so /verify/ shows it without reading the PDF.
    essentials = models.JSONField(_("essentials"), default=dict)
    pdf = models.FileField(upload_to="notices/%Y/", blank=True)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "event_sequence"], name="notice_once_per_event")
        ]

    def __str__(self) -> str:
        return self.number


class ClaimKey(models.Model):
    """Once only (同一项目不得重复申报): what makes an application's claim unique (measure 15: each
    international standard's number; awards: the certificate number), recorded at submission.
    A key is funded when the application is approved; the database refuses a second funded key
    for the same incentive (in the same fiscal year, where the incentive allows yearly repeats)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="claim_keys")
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("claim key"), max_length=200)
    # The fiscal year for incentives whose keys may be funded once a year; empty: once ever.
    period = models.CharField(max_length=4, blank=True)
    funded = models.BooleanField(_("funded"), default=False)

    class Meta:
        verbose_name = _("claim key")
        verbose_name_plural = _("claim keys")
        constraints = [
            models.UniqueConstraint(fields=["application", "key"], name="claim_key_once_per_application"),
            models.UniqueConstraint(
                fields=["incentive", "key", "period"], condition=Q(funded=True), name="claim_key_funded_once"
            ),
        ]
        indexes = [models.Index(fields=["incentive", "key"], name="claim_key_lookup")]

    def __str__(self) -> str:
        return f"{self.incentive_id}:{self.key}"


class StageRecord(models.Model):
    """A timed stage (受理, 补正, 审核 …) an application went through, written by the workflow when
    the application left it: when it began and ended, the time limit then running and whether the
    stage ended within it. Time-limit compliance and stage durations are read from these rows
    (summed in reports' tallies), never recomputed from the audit trail's JSON.

    The incentive's department, the incentive and the fiscal year are copied in, as they were
    when the stage ended.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stage_records")
    status = models.CharField(_("status left"), max_length=20, choices=Status.choices)
    action = models.CharField(_("ended by"), max_length=30)  # the workflow's action: accept, propose …
    entered_at = models.DateTimeField(_("entered at"))
    left_at = models.DateTimeField(_("left at"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # Left on or before the due date (in the portal's time zone); None when no time limit ran.
    in_time = models.BooleanField(_("within the time limit"), null=True)
    seconds = models.PositiveBigIntegerField(_("duration (seconds)"))  # left_at − entered_at
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("stage record")
        verbose_name_plural = _("stage records")
        ordering = ["left_at", "pk"]
        indexes = [
            models.Index(fields=["application", "left_at"], name="stage_record_application"),
            models.Index(fields=["fiscal_year", "department", "action"], name="stage_record_year_department"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.status} → {self.action}"


class CityRecommendationLetter(models.Model):
    """推荐函: a city bureau's letter recommending, in its ranking, the applications of its city it
    forwarded for one call (地市初审推荐), issued by the bureau's approver as a PDF. When more are
    forwarded later, a new letter (the next ordinal) supersedes it; earlier letters are kept."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="city_letters")
    city = models.CharField(_("city"), max_length=16, choices=GuangdongCity.choices)
    ordinal = models.PositiveSmallIntegerField(_("letter of the call and city"))  # 1, 2 … in issuing order
    number = models.CharField(_("letter number"), max_length=60, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"))
    # What the letter says, as data (the PDF prints it): bureau, addressee, entries, totals.
    essentials = models.JSONField(_("essentials"), default=dict)
    pdf = models.FileField(upload_to="city-letters/%Y/", blank=True)

    class Meta:
        verbose_name = _("city recommendation letter")
        verbose_name_plural = _("city recommendation letters")
        ordering = ["call", "city", "-ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["call", "city", "ordinal"], name="city_letter_once_per_ordinal"),
        ]

    def __str__(self) -> str:
        return self.number


class CityLetterEntry(models.Model):
    """One recommended application on a letter, at the rank the city gave it."""

    letter = models.ForeignKey(CityRecommendationLetter, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="city_letter_entries")
    rank = models.PositiveIntegerField(_("rank"))
    amount_asked = models.DecimalField(_("amount asked (CNY)"), max_digits=18, decimal_places=2, null=True, blank=True)
    reasons = models.TextField(_("the city bureau's reasons"), blank=True)

    class Meta:
        verbose_name = _("city letter entry")
        verbose_name_plural = _("city letter entries")
        ordering = ["letter", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "rank"], name="city_letter_entry_rank"),
            models.UniqueConstraint(fields=["letter", "application"], name="city_letter_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} #{self.rank}"
