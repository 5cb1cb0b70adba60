"""A broker the test controls (not a test module): the Celery app pointed at another address, and a
private redis-server that a test can stop and start again on the same port.

    with RedisServer() as redis, celery_broker(redis.url):
        redis.stop()    # the broker is down
        redis.start()   # and back, empty (no persistence)
"""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _reset_connections(app: Any) -> None:
    """Closes and forgets every connection pool. Celery's pool comes from kombu's registry, keyed
    by the broker's URL: closing it alone would leave a closed pool there for the next test."""
    from kombu import pools

    pools.reset()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def celery_broker(url: str) -> Iterator[Any]:
    """The Celery app sends to and reads from `url` instead of CELERY_BROKER_URL, with tasks going
    through the broker (not in-process); everything is put back afterwards."""
    from portal import outbox
    from portal.celery import app

    saved = {name: app.conf.get(name) for name in ("broker_read_url", "broker_write_url", "task_always_eager")}
    # (The environment's CELERY_BROKER_URL wins over broker_url; the read and write URLs win over it.)
    app.conf.broker_read_url = url
    app.conf.broker_write_url = url
    app.conf.task_always_eager = False
    _reset_connections(app)
    try:
        yield app
    finally:
        for name, value in saved.items():
            app.conf[name] = value
        _reset_connections(app)
        outbox._broker["down_until"] = 0.0  # this process's memory of the outage goes with it


class RedisServer:
    """`redis-server` on a free port, without persistence, in a temporary directory."""

    def __init__(self, directory: Path | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (.ci/run installs it)")
        self.binary = binary
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        if self.directory is not None:
            args += ["--dir", str(self.directory)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> "RedisServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
