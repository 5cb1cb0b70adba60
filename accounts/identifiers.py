"""Chinese identifiers: the unified social credit code (GB 32100) and the resident ID (GB 11643).

python-stdnum checks them; this module only normalises what people type (full-width
characters, lower case, spaces) and turns stdnum's exceptions into messages that say what is
wrong, in the user's language.
"""

import unicodedata
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as Bad

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class _Validator(Protocol):
    """A python-stdnum module (stdnum.cn.uscc, stdnum.cn.ric)."""

    def validate(self, number: str) -> str: ...


def normalise(value: str) -> str:
    """Full-width to half-width (NFKC), spaces and hyphens removed, upper case."""
    value = unicodedata.normalize("NFKC", value or "")
    return "".join(ch for ch in value if not ch.isspace() and ch != "-").upper()


def _check(
    value: str,
    validator: _Validator,
    *,
    length_message: "StrOrPromise",
    checksum_message: "StrOrPromise",
    format_message: "StrOrPromise",
    component_message: "StrOrPromise",
) -> str:
    code = normalise(value)
    try:
        return validator.validate(code)
    except InvalidLength:
        raise ValidationError(length_message, code="length") from None
    except InvalidChecksum:
        raise ValidationError(checksum_message, code="checksum") from None
    except InvalidComponent:
        raise ValidationError(component_message, code="component") from None
    except (InvalidFormat, Bad):
        raise ValidationError(format_message, code="format") from None


def validate_uscc(value: str) -> str:
    """Returns the normalised credit code, or raises ValidationError saying what is wrong."""
    return _check(
        value,
        uscc,
        length_message=_("A unified social credit code has 18 characters."),
        checksum_message=_("The check character (the 18th) does not match: please check the code for a typo."),
        format_message=_("The code contains characters a unified social credit code cannot have."),
        component_message=_("The code's registration authority or type is not valid."),
    )


def validate_resident_id(value: str) -> str:
    """Returns the normalised resident ID number, or raises ValidationError saying what is wrong."""
    return _check(
        value,
        ric,
        length_message=_("A resident identity card number has 18 characters."),
        checksum_message=_("The check digit (the 18th character) does not match: please check the number for a typo."),
        format_message=_("The number contains characters a resident identity card number cannot have."),
        component_message=_("The number's birth date or area code is not valid."),
    )


def mask_resident_id(value: str) -> str:
    """Personal information: the first 6 and last 4 characters only (e.g. 440105********1234)."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_account_number(value: str) -> str:
    return "*" * max(len(value) - 4, 0) + value[-4:]
