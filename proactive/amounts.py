"""What a proactive offer pays: the amount engine's figure, or the administrator's where the policy names none."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.amounts import compute_amount, money
from measures.models import Incentive
from portal.money import amount_as_typed

from .models import ProactiveList


def parse_amount(value: Any) -> Decimal | None:
    """An amount as people type it ("500,000", "50万", full-width digits); None when empty."""
    try:
        amount = amount_as_typed(value)
    except ValueError as refused:
        raise ValidationError({"amount": [ValidationError(str(refused), code="invalid")]}) from None
    if amount is not None and amount <= 0:
        raise ValidationError(
            {"amount": [ValidationError(_("Enter an amount in CNY greater than zero."), code="invalid")]}
        )
    return amount


@dataclass(frozen=True)
class OfferAmount:
    amount: Decimal
    trace: dict[str, Any]
    set_by_department: bool


def _offer_amount(incentive: Incentive, *, on: dt.date, given: Decimal | None, title: str, year: int) -> OfferAmount:
    """The engine's figure where it has one; otherwise the administrator's, recorded in the trace."""
    result = compute_amount(incentive, on=on)
    zh, en = result.trace_zh, result.trace_en
    if result.amount is not None:
        if given is not None and given != result.amount:
            raise ValidationError(
                {
                    "amount": [
                        ValidationError(
                            _(
                                "The policy's figure for this incentive on %(day)s is %(amount)s CNY: "
                                "leave the amount empty or enter that figure."
                            )
                            % {"day": on.isoformat(), "amount": money(result.amount)},
                            code="engine_amount",
                        )
                    ]
                }
            )
        amount, by_department = result.amount, False
    else:
        if given is None:
            raise ValidationError(
                {
                    "amount": [
                        ValidationError(
                            _(
                                "The policy states no figure for this incentive: enter the amount the "
                                "department set for each enterprise on the list."
                            ),
                            code="required",
                        )
                    ]
                }
            )
        if result.cap is not None and given > result.cap:
            raise ValidationError(
                {
                    "amount": [
                        ValidationError(
                            _("The amount is above the cap of %(cap)s CNY.") % {"cap": money(result.cap)},
                            code="cap",
                        )
                    ]
                }
            )
        amount, by_department = given, True
        # Stored data in both languages, like the engine's own lines.
        zh = [*zh, f"部门为名单“{title}”（{year}年）上的每家企业确定奖励金额：{money(given)} 元。"]
        en = [*en, f"The department set {money(given)} CNY for each enterprise on the list “{title}” ({year})."]
    zh = [*zh, f"免申即享：依据名单“{title}”直接兑现，企业无需申报，确认银行账户即可。"]
    en = [*en, f"Proactive award: offered from the list “{title}” without an application; the enterprise confirms."]
    return OfferAmount(amount, {"zh": zh, "en": en, "on": on.isoformat()}, by_department)


def list_offer_amount(award_list: ProactiveList) -> OfferAmount | None:
    """The amount for a row of a stored list, computed as on the day the list was imported."""
    try:
        return _offer_amount(
            award_list.incentive,
            on=timezone.localdate(award_list.imported_at),
            given=award_list.amount,
            title=award_list.title,
            year=award_list.year,
        )
    except ValidationError:
        return None
