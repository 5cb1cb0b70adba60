"""Structured logs: in production one JSON object per line (time, level, logger, message and the
request's id); every response names its request id."""

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from portal.observability import RequestIdMiddleware, current_request_id, logging_config


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """A logger `portal.test-json` writing through the production configuration's formatter and filter."""
    config = logging_config(json_lines=True, level="INFO")
    # The formatter and the filter exactly as dictConfig builds them from the LOGGING setting.
    build = logging.config.DictConfigurator(config).configure_custom
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(build(dict(config["formatters"]["json"])))
    handler.addFilter(build(dict(config["filters"]["request_id"])))
    logger = logging.getLogger("portal.test-json")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.propagate = True


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_line_of_json_with_level_logger_and_message(json_log: io.StringIO) -> None:
    logger = logging.getLogger("portal.test-json")
    logger.warning("通知书 %s 已签发", "QB-2026-01")
    logger.info("second line\nwith a newline inside")
    first, second = records(json_log)
    assert first["level"] == "WARNING"
    assert first["logger"] == "portal.test-json"
    assert first["message"] == "通知书 QB-2026-01 已签发"
    assert first["request_id"] == "-"  # outside a request
    assert first["time"]
    assert second["message"] == "second line\nwith a newline inside"
    assert len(json_log.getvalue().splitlines()) == 2


def test_an_exception_is_kept_inside_the_json(json_log: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("portal.test-json").exception("failed")
    [record] = records(json_log)
    assert record["level"] == "ERROR" and "ValueError: boom" in record["exc_info"]


@pytest.mark.django_db  # closing a response closes old database connections
def test_records_written_while_serving_a_request_carry_its_id(json_log: io.StringIO) -> None:
    def view(request: object) -> HttpResponse:
        logging.getLogger("portal.test-json").info("inside")
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/"))
    [record] = records(json_log)
    assert record["request_id"] == response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32
    response.close()  # the server closes the response: the id ends with the request
    assert current_request_id() == "-"


@pytest.mark.django_db
def test_djangos_own_response_log_carries_the_request_id(json_log: io.StringIO, client: Client) -> None:
    handler = logging.getLogger("portal.test-json").handlers[0]
    django_request = logging.getLogger("django.request")
    django_request.addHandler(handler)
    try:
        response = client.get("/no-such-page/")
    finally:
        django_request.removeHandler(handler)
    assert response.status_code == 404
    [record] = records(json_log)
    assert record["message"] == "Not Found: /no-such-page/"
    assert record["request_id"] == response["X-Request-ID"]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("nginx-5f2a9c1e7b3d", True), ("short", False), ("x" * 65, False), ("bad id\r\nSet-Cookie: a=b", False)],
)
def test_a_sane_request_id_from_the_proxy_is_kept(sent: str, kept: bool) -> None:
    response = RequestIdMiddleware(lambda request: HttpResponse("ok"))(
        RequestFactory().get("/", HTTP_X_REQUEST_ID=sent)
    )
    assert (response["X-Request-ID"] == sent) is kept


@pytest.mark.django_db
def test_every_response_names_its_request_id(client: Client) -> None:
    first, second = client.get("/healthz/"), client.get("/healthz/")
    assert first["X-Request-ID"] and first["X-Request-ID"] != second["X-Request-ID"]


def test_local_logs_stay_plain_text() -> None:
    assert logging_config(json_lines=False, level="INFO")["handlers"]["console"]["formatter"] == "text"
