"""Gapless numbers for references, batch numbers and objections' tracking numbers."""

from django.db import transaction

from .models import Sequence


def next_number(series: str) -> int:
    """The next number of the series, taken under a row lock in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that stores the number")
    Sequence.objects.bulk_create([Sequence(series=series)], ignore_conflicts=True)
    sequence = Sequence.objects.select_for_update().get(series=series)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last
