"""The portal's clock moved forward, for tests of time limits and durations (not a test module).

    with clock_moved(days=30):
        application_propose(...)   # decided thirty days later than now

Everything that asks django.utils.timezone for the time (now, localdate, auto_now fields, the
audit trail) sees the moved clock; the database is real.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


@contextmanager
def clock_moved(**delta: float) -> Iterator[None]:
    real_now = timezone.now
    with mock.patch("django.utils.timezone.now", lambda: real_now() + dt.timedelta(**delta)):
        yield
