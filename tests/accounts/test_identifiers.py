"""Credit codes (GB 32100) and resident IDs (GB 11643): normalised, checked, explained, masked."""

import pytest
from django.core.exceptions import ValidationError

from accounts.identifiers import mask_account_number, mask_resident_id, validate_resident_id, validate_uscc
from tests.factories import make_resident_id, make_uscc

USCC = make_uscc(42)
RESIDENT_ID = make_resident_id(7)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def wrong_check(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@pytest.mark.parametrize(
    "typed",
    [USCC, USCC.lower(), full_width(USCC), f" {USCC[:6]} {USCC[6:12]} {USCC[12:]} ", full_width(USCC.lower())],
    ids=["valid", "lower case", "full-width", "spaces", "full-width lower case"],
)
def test_a_credit_code_is_accepted_however_it_is_typed_and_stored_normalised(typed: str) -> None:
    assert validate_uscc(typed) == USCC


@pytest.mark.parametrize(
    ("typed", "code", "words"),
    [
        (wrong_check(USCC), "checksum", "check character"),
        (USCC[:-1], "length", "18 characters"),
        (USCC + "1", "length", "18 characters"),
        ("", "length", "18 characters"),
        (USCC[:-2] + "I" + USCC[-1], "format", "cannot have"),
    ],
    ids=["wrong check character", "too short", "too long", "empty", "letter I"],
)
def test_a_bad_credit_code_is_refused_saying_what_is_wrong(typed: str, code: str, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_uscc(typed)
    assert refused.value.code == code
    assert words in str(refused.value.messages[0])


@pytest.mark.parametrize(
    "typed",
    [
        RESIDENT_ID,
        RESIDENT_ID.lower(),
        full_width(RESIDENT_ID),
        f"{RESIDENT_ID[:6]} {RESIDENT_ID[6:14]} {RESIDENT_ID[14:]}",
    ],
    ids=["valid", "lower case", "full-width", "spaces"],
)
def test_a_resident_id_is_accepted_however_it_is_typed(typed: str) -> None:
    assert validate_resident_id(typed) == RESIDENT_ID


def test_a_resident_id_ending_in_x_is_accepted_in_lower_case() -> None:
    number = next(n for n in (make_resident_id(i) for i in range(200)) if n.endswith("X"))
    assert validate_resident_id(number.lower()) == number


@pytest.mark.parametrize(
    ("typed", "code", "words"),
    [
        (wrong_check(RESIDENT_ID), "checksum", "check digit"),
        (RESIDENT_ID[:-1], "length", "18 characters"),
        (RESIDENT_ID + "0", "length", "18 characters"),
        ("A" + RESIDENT_ID[1:], "format", "cannot have"),
    ],
    ids=["wrong check digit", "too short", "too long", "letter"],
)
def test_a_bad_resident_id_is_refused_saying_what_is_wrong(typed: str, code: str, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_resident_id(typed)
    assert refused.value.code == code
    assert words in str(refused.value.messages[0])


def test_masks_keep_only_what_identifies_without_revealing() -> None:
    assert mask_resident_id(RESIDENT_ID) == RESIDENT_ID[:6] + "********" + RESIDENT_ID[-4:]
    assert mask_account_number("6222020200112233445") == "***************3445"
