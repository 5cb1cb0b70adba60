"""Expert review (专家评审): the pool of experts and their declared conflicts, one panel per call
drawn at random from the pool (reproducible from its recorded seed), the score sheets of the
incentives and the experts' scores."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Applicant
from applications.models import Application
from calls.models import Call
from measures.models import Bilingual, Incentive
from measures.vocabulary import GuangdongCity


class ExpertiseField(Bilingual):
    """A field of expertise (专业领域), as data: administrators add and rename them."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("field of expertise")
        verbose_name_plural = _("fields of expertise")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Expert(models.Model):
    """An expert of the pool (专家库). The user is neither an official nor an applicant's user:
    experts see their own assignments and nothing of the officials' pages."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert", verbose_name=_("user")
    )
    fields = models.ManyToManyField(ExpertiseField, related_name="experts", verbose_name=_("fields of expertise"))
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    employer_uscc = models.CharField(_("employer's credit code"), max_length=18, blank=True)
    city = models.CharField(_("city"), max_length=16, choices=GuangdongCity.choices, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.user.display_name or self.user.username

    def clean(self) -> None:
        user = getattr(self, "user", None)
        if user is not None and (user.official_role or user.applicant_id or user.is_staff or user.is_superuser):
            raise ValidationError(
                {"user": _("An expert's account must be neither an official's nor an applicant's user.")}
            )


class ExpertConflict(models.Model):
    """A conflict of interest an expert declared with an applicant (回避): never drawn for it."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("expert"))
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="+", verbose_name=_("applicant"))
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("declared conflict of interest")
        verbose_name_plural = _("declared conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["expert", "applicant"], name="expert_conflict_once")]

    def __str__(self) -> str:
        return f"{self.expert} ↔ {self.applicant}"


class Panel(models.Model):
    """The expert panel of one call: drawn once, closed once every assignment is scored (or
    recorded as missing). `candidates` records, per application, the eligible experts' ids in the
    order the draw used, so that `panel_verify` can draw again from the seed."""

    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="panel", verbose_name=_("call"))
    fields = models.ManyToManyField(ExpertiseField, related_name="+", verbose_name=_("fields of expertise"))
    seed = models.BigIntegerField(_("seed of the draw"))
    candidates = models.JSONField(_("eligible experts per application"), default=dict, editable=False)
    drawn_at = models.DateTimeField(_("drawn at"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drawn by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("expert panel")
        verbose_name_plural = _("expert panels")

    def __str__(self) -> str:
        return str(self.call)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Assignment(models.Model):
    """One expert scores one application. Scored: `scored_at` is set and a Score per criterion
    exists. Missing: an official recorded why it will not be scored (the expert fell ill); it then
    counts neither for nor against the application."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("panel"))
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="expert_assignments", verbose_name=_("application")
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("expert"))
    comment = models.TextField(_("comment"), blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    missing_reason = models.TextField(_("why no score"), blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["application_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="assignment_once_per_expert"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.expert}"

    @property
    def is_done(self) -> bool:
        return self.scored_at is not None or bool(self.missing_reason)


class ScoreSheet(Bilingual):
    """How the experts score an incentive's applications (评分表): its criteria with their maximum
    points and weights, edited in the admin."""

    incentive = models.OneToOneField(
        Incentive, on_delete=models.CASCADE, related_name="score_sheet", verbose_name=_("incentive")
    )
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")

    def __str__(self) -> str:
        return self.title


class ScoreCriterion(Bilingual):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("sheet"))
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    guidance = models.TextField(_("guidance (Chinese)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    max_points = models.DecimalField(
        _("most points"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["sheet_id", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["sheet", "order"], name="criterion_order_once")]

    def __str__(self) -> str:
        return self.name


class Score(models.Model):
    """The points one expert gave one criterion of one application."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ScoreCriterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="score_once_per_criterion")]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.criterion_id}: {self.points}"
