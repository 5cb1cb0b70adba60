"""Readiness: `/health/` answers 200 when the database, the cache, the broker and the file storage
all work, 500 naming the one that does not (django-health-check; `?format=json` or
`Accept: application/json` for JSON, text/plain for lines). The containers' healthchecks use it.

`/healthz/` stays the cheap liveness answer (one SELECT 1) that load balancers and the benchmark call.
"""

import dataclasses
import datetime

from celery import Celery
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


def _portal_app() -> Celery:
    from portal.celery import app

    return app


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis: a PING). With tasks run in-process (`make run`,
    no CELERY_BROKER_URL) there is no broker to check. Workers are not required to be up: a web
    container stays healthy while its tasks wait in the queue (the worker's own healthcheck says
    whether it runs)."""

    app: Celery = dataclasses.field(default_factory=_portal_app, repr=False)
    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=5), repr=False)

    def run(self) -> None:
        if self.app.conf.task_always_eager:
            return
        try:
            with self.app.connection_for_write() as connection:
                # No retry here: the container healthcheck asks again (retries) before calling it unhealthy.
                connection.ensure_connection(max_retries=0, timeout=int(self.timeout.total_seconds()))
        except Exception as error:  # kombu raises the transport's own errors (redis, amqp, OSError)
            raise ServiceUnavailable(f"Broker unreachable: {type(error).__name__}") from error


CHECKS = (Database, Cache, Broker, Storage)


class HealthView(HealthCheckView):
    checks = CHECKS
