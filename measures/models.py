"""The policy catalog: policy document → chapters → measures → incentives (支持事项).

Amounts, eligibility and targets are data with effective dates, so a change next year never
alters a computation made under this year's figures.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.languages import is_english

from .vocabulary import ApplicantType


class Bilingual(models.Model):
    """Gives `localized("title")`: the English column when the request is in English, if filled."""

    class Meta:
        abstract = True

    def localized(self, field: str) -> str:
        if is_english():
            english: str = getattr(self, f"{field}_en", "")
            if english:
                return english
        value: str = getattr(self, field)
        return value


class PolicyDocument(Bilingual):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft for comments")
        IN_FORCE = "in_force", _("In force")
        EXPIRED = "expired", _("Expired")

    code = models.SlugField(_("code"), unique=True)
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    issuer = models.CharField(_("issuer (Chinese)"), max_length=200)
    issuer_en = models.CharField(_("issuer (English)"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # The draft leaves the day blank ("本文件自2023年 月 日起实施"): an administrator sets it.
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    validity_years = models.PositiveSmallIntegerField(_("validity in years"), default=3)
    preamble = models.TextField(_("preamble"), blank=True)
    closing_text = models.TextField(_("closing provisions"), blank=True)
    # 信用承诺: what every applicant commits to when submitting (an incentive may have its own).
    # Applicants see the English when the page is in English; the Chinese is what binds.
    credit_commitment = models.TextField(_("credit commitment (Chinese)"), blank=True)
    credit_commitment_en = models.TextField(_("credit commitment (English)"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")

    def __str__(self) -> str:
        return self.title

    @property
    def expiry_date(self) -> dt.date | None:
        """The last day in force: validity_years after the effective date, less one day."""
        if self.effective_date is None:
            return None
        start = self.effective_date
        try:
            anniversary = start.replace(year=start.year + self.validity_years)
        except ValueError:  # 29 February in a year that has none
            anniversary = start.replace(year=start.year + self.validity_years, day=28) + dt.timedelta(days=1)
        return anniversary - dt.timedelta(days=1)


class Chapter(Bilingual):
    document = models.ForeignKey(
        PolicyDocument, on_delete=models.CASCADE, related_name="chapters", verbose_name=_("policy document")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="chapter_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Department(Bilingual):
    """A body the policy names as responsible (责任单位)."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100, unique=True)
    # The policy and the pages use the short name (省市场监管局); formal documents the full one.
    full_name = models.CharField(
        _("full name (Chinese)"),
        max_length=200,
        blank=True,
        help_text=_("The name formal documents carry, e.g. 广东省市场监督管理局 for 省市场监管局."),
    )
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    # 省有关行业主管部门: not one body but "the competent industry department" for the case.
    is_generic = models.BooleanField(_("generic designation"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def formal_name(self) -> str:
        """The name notices and other formal documents carry: the full name, else the short name
        with the province in front of a provincial department's (省工业和信息化厅 → 广东省工业和信息化厅)."""
        if self.full_name:
            return self.full_name
        return "广东" + self.name if self.name.startswith("省") else self.name

    @property
    def formal_name_en(self) -> str:
        """For `localized("formal_name")`: the English name is already the full one."""
        return self.name_en


class Measure(Bilingual):
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="measures", verbose_name=_("chapter"))
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    text = models.TextField(_("full text (as in the policy)"))
    departments = models.ManyToManyField(
        Department, through="MeasureDepartment", related_name="measures", verbose_name=_("responsible departments")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def localized_summary(self) -> str:
        """English readers get the English summary; Chinese readers the policy's own words."""
        if is_english() and self.summary_en:
            return self.summary_en
        return self.text


class MeasureDepartment(models.Model):
    """A responsible department of a measure, in the policy's order; the first leads (牵头)."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="responsibilities", verbose_name=_("measure")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("department")
    )
    position = models.PositiveSmallIntegerField(_("position"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("responsible department")
        verbose_name_plural = _("responsible departments")
        ordering = ["measure__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "department"], name="measure_department_once"),
            models.UniqueConstraint(fields=["measure", "position"], name="measure_department_position"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.number} #{self.position} {self.department}"

    @property
    def is_lead(self) -> bool:
        return self.position == 1


class Incentive(Bilingual):
    """支持事项: something an enterprise or a person can claim under a measure."""

    class Kind(models.TextChoices):
        FIXED_GRANT = "fixed_grant", _("Fixed grant")
        PER_UNIT_GRANT = "per_unit_grant", _("Per-unit grant")
        COST_SHARE_GRANT = "cost_share_grant", _("Cost-share grant")
        DISCRETIONARY_GRANT = "discretionary_grant", _("Discretionary grant within a cap")
        FINANCING = "financing", _("Financing support")
        TAX_FEE = "tax_fee", _("Tax or fee treatment")
        FAST_TRACK = "fast_track", _("Fast-track service")
        RECOGNITION = "recognition", _("Recognition")

    GRANT_KINDS = frozenset({Kind.FIXED_GRANT, Kind.PER_UNIT_GRANT, Kind.COST_SHARE_GRANT, Kind.DISCRETIONARY_GRANT})

    code = models.SlugField(_("code"), max_length=60, unique=True)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="incentives", verbose_name=_("measure"))
    position = models.PositiveSmallIntegerField(_("position within the measure"), default=1)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    description = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    applicant_type = models.CharField(
        _("applicant type"), max_length=16, choices=ApplicantType.choices, default=ApplicantType.ORGANISATION
    )
    handling_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="handled_incentives", verbose_name=_("handling department")
    )
    # For per-unit grants: what one unit is ("项国际标准" / "international standard led").
    unit = models.CharField(_("unit (Chinese)"), max_length=60, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=100, blank=True)
    is_active = models.BooleanField(_("open for claims"), default=True)
    # The application form as data (sections of fields); empty: the default form for its kind.
    # See applications.form_definitions for the format.
    application_form = models.JSONField(_("application form"), default=dict, blank=True)
    # Time limits per stage, in Chinese working days.
    acceptance_days = models.PositiveSmallIntegerField(_("working days to accept"), default=5)
    review_days = models.PositiveSmallIntegerField(_("working days to review"), default=20)
    supplement_days = models.PositiveSmallIntegerField(_("working days to answer a supplement request"), default=10)
    # The review checklist officials tick, as a list of items (Chinese / English).
    review_checklist = models.JSONField(_("review checklist"), default=list, blank=True)
    # Once only (同一项目不得重复申报): the answer that makes a claim unique, as "section.field", or
    # "section.rows[].field" for each row of a list (measure 15: each international standard's
    # number). Empty: the incentive has no claim key. A funded key is never funded again, or
    # not again in the same fiscal year when repeats per year are allowed.
    claim_key = models.CharField(_("claim key (the answer that makes a claim unique)"), max_length=100, blank=True)
    claim_key_repeats_yearly = models.BooleanField(_("the same key may be funded once per fiscal year"), default=False)
    # 信用承诺 for this incentive only; empty: the policy document's.
    credit_commitment = models.TextField(_("credit commitment (Chinese), if not the policy's"), blank=True)
    credit_commitment_en = models.TextField(_("credit commitment (English), if not the policy's"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incentive")
        verbose_name_plural = _("incentives")
        ordering = ["measure__number", "position"]

    def __str__(self) -> str:
        return self.name

    @property
    def pays_money(self) -> bool:
        return self.kind in self.GRANT_KINDS


class IncentiveAccess(models.Model):
    """A co-responsible department granted access to an incentive's applications by an administrator."""

    class Level(models.TextChoices):
        READ = "read", _("Read")
        REVIEW = "review", _("Review")

    incentive = models.ForeignKey(
        Incentive, on_delete=models.CASCADE, related_name="access_grants", verbose_name=_("incentive")
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="access_grants", verbose_name=_("department")
    )
    level = models.CharField(_("access"), max_length=8, choices=Level.choices, default=Level.READ)

    class Meta:
        verbose_name = _("department access")
        verbose_name_plural = _("department access")
        constraints = [models.UniqueConstraint(fields=["incentive", "department"], name="incentive_access_once")]

    def __str__(self) -> str:
        return f"{self.department} {self.level} {self.incentive}"


class AmountParameter(Bilingual):
    """One figure of an incentive's amount rule, in force from `valid_from` until `valid_to`.

    `value` is empty where the policy names support without a figure: the amount is then set
    by the department, and the pages say so.
    """

    class Key(models.TextChoices):
        AMOUNT = "amount", _("Fixed amount (CNY)")
        UNIT_CAP = "unit_cap", _("Cap per unit (CNY)")
        RATE = "rate", _("Share of eligible spending")
        CAP = "cap", _("Cap per claim (CNY)")

    incentive = models.ForeignKey(
        Incentive, on_delete=models.CASCADE, related_name="amount_parameters", verbose_name=_("incentive")
    )
    key = models.CharField(_("parameter"), max_length=16, choices=Key.choices)
    value = models.DecimalField(
        _("value"), max_digits=18, decimal_places=4, null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("source or note (Chinese)"), max_length=300, blank=True)
    note_en = models.CharField(_("source or note (English)"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("amount parameter")
        verbose_name_plural = _("amount parameters")
        ordering = ["incentive_id", "key", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["incentive", "key", "valid_from"], name="amount_parameter_once_per_start"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="amount_parameter_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(key="rate") | Q(value__isnull=True) | Q(value__lte=1),
                name="amount_parameter_rate_at_most_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incentive.code}:{self.key}={self.value} from {self.valid_from}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class EligibilityCriterion(Bilingual):
    """One condition of an incentive, as data (see measures.eligibility for the rules).

    Criteria with the same non-empty `alternative_group` are alternatives (any one suffices);
    all others must each be met.
    """

    class Rule(models.TextChoices):
        QUALIFICATION_ANY = "qualification_any", _("Holds one of the qualifications")
        SIZE_IN = "size_in", _("Enterprise size")
        CITY_IN = "city_in", _("Located in")
        INDUSTRY_IN = "industry_in", _("Industry (GB/T 4754 division)")
        REVENUE_CN_ABOVE = "revenue_cn_above", _("Last year's revenue in China above")
        REVENUE_WORLD_ABOVE = "revenue_world_above", _("Last year's worldwide revenue above")
        PARTIES_REVENUE_CN_ABOVE = "parties_revenue_cn_above", _("Parties each with revenue in China above")
        # Measure 9 (营业额合计): the parties' combined turnover, from the claim's list of parties.
        PARTIES_TOTAL_CN_ABOVE = "parties_total_cn_above", _("Parties' combined revenue in China above")
        PARTIES_TOTAL_WORLD_ABOVE = "parties_total_world_above", _("Parties' combined worldwide revenue above")
        DECLARATION = "declaration", _("Declared by the applicant and checked by the department")

    incentive = models.ForeignKey(
        Incentive, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("incentive")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    rule = models.CharField(_("rule"), max_length=32, choices=Rule.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    alternative_group = models.CharField(_("alternative group"), max_length=20, blank=True)
    # Only for DECLARATION, whose condition is words rather than a figure the portal can check.
    text = models.CharField(_("condition (Chinese)"), max_length=300, blank=True)
    text_en = models.CharField(_("condition (English)"), max_length=300, blank=True)
    # In force from / until (both inclusive; empty: no limit), like amount parameters: a threshold
    # that changes (measure 9's national thresholds, 2024) gets a new criterion from that day and the
    # old one ends the day before, so a claim made earlier is still judged on the earlier figures.
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("eligibility criterion")
        verbose_name_plural = _("eligibility criteria")
        ordering = ["incentive_id", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="eligibility_criterion_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        from .eligibility import describe

        return describe(self)

    def in_force_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class RequiredDocument(Bilingual):
    incentive = models.ForeignKey(
        Incentive, on_delete=models.CASCADE, related_name="required_documents", verbose_name=_("incentive")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    is_mandatory = models.BooleanField(_("mandatory"), default=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["incentive_id", "position"]

    def __str__(self) -> str:
        return self.name


class Target(Bilingual):
    """A quantified target the policy states (e.g. 500 international standards); progress comes later."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="targets", verbose_name=_("measure"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="targets", verbose_name=_("responsible department")
    )
    description = models.CharField(_("description (Chinese)"), max_length=300)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit (Chinese)"), max_length=30)
    unit_en = models.CharField(_("unit (English)"), max_length=60, blank=True)
    # "约1000名", "10个左右", "500项以上": the policy's own qualifier, kept as it is.
    qualifier = models.CharField(
        _("qualifier"),
        max_length=16,
        choices=[("exact", _("exactly")), ("about", _("about")), ("at_least", _("at least"))],
        default="exact",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["measure__number", "code"]

    def __str__(self) -> str:
        return f"{self.description}: {self.quantity} {self.unit}"


class YearCeiling(models.Model):
    """Where the policy names no figure ("set by the department"), the most one award may be for an
    incentive in a fiscal year, set by the handling department before anything is approved. The
    policy ceiling (measures/ceilings.py) then applies it like a figure of the policy."""

    incentive = models.ForeignKey(
        Incentive, on_delete=models.PROTECT, related_name="year_ceilings", verbose_name=_("incentive")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    amount = models.DecimalField(_("ceiling per award (CNY)"), max_digits=18, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ceiling set by the department")
        verbose_name_plural = _("ceilings set by the department")
        constraints = [
            models.UniqueConstraint(fields=["incentive", "fiscal_year"], name="year_ceiling_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="year_ceiling_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.incentive_id} {self.fiscal_year}: {self.amount}"
