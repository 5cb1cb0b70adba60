"""Numbering sequences (portal/numbering.py): gapless per series, a rolled-back number is given back."""

import pytest
from django.db import transaction

from portal.models import Sequence
from portal.numbering import next_number

pytestmark = pytest.mark.django_db


def test_each_series_counts_on_its_own_and_a_rollback_gives_the_number_back() -> None:
    with transaction.atomic():
        assert [next_number("objection:2026") for _ in range(3)] == [1, 2, 3]
        assert next_number("objection:2027") == 1

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        assert next_number("objection:2026") == 4
        raise Refused
    with transaction.atomic():
        assert next_number("objection:2026") == 4  # no gap
    assert dict(Sequence.objects.values_list("series", "last")) == {"objection:2026": 4, "objection:2027": 1}


@pytest.mark.django_db(transaction=True)
def test_a_number_is_only_taken_inside_the_transaction_that_stores_it() -> None:
    with pytest.raises(RuntimeError):
        next_number("objection:2026")  # autocommit: the number would be lost if the caller failed
    assert not Sequence.objects.exists()
