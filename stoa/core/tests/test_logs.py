"""Request ids and JSON logs (stoa.core.logs): every line of a request carries its id, the id
comes from the proxy only when a proxy is in front, and goes back to the client."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import RequestFactory

from stoa.core.logs import HEADER, RequestIds, logging_config

logger = logging.getLogger("stoa.tests.logs")
NGINX_ID = "0f3c2a9b8e7d6c5b4a3928171605f4e3"  # what nginx's $request_id looks like


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The root logger writing JSON (settings.LOGGING with STOA_LOG_FORMAT=json) to a buffer."""
    config = logging_config(log_format="json", level="INFO")
    config["handlers"]["console"]["stream"] = buffer = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logging.config.dictConfig(config)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    logger.warning("answering %s", environ["PATH_INFO"])
    start_response("200 OK", [("Content-Type", "text/plain"), (HEADER, "from-the-app-itself")])
    logger.info("answered")
    return [b"ok"]


def call(**headers: str) -> dict[str, str]:
    environ = RequestFactory().get("/about/", **headers).environ
    got: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc=None) -> None:
        got["headers"] = response_headers

    RequestIds(app)(environ, start_response)
    ids = [value for name, value in got["headers"] if name.lower() == HEADER.lower()]
    assert len(ids) == 1, got["headers"]  # one id: the application's own is replaced
    return {"id": ids[0]}


def test_each_request_gets_a_new_id_sent_back(settings) -> None:
    settings.STOA_TRUSTED_PROXY_COUNT = 0
    first, second = call()["id"], call()["id"]
    assert first != second
    assert len(first) == 32 and int(first, 16) >= 0


def test_a_clients_id_is_ignored_without_a_proxy_in_front(settings) -> None:
    settings.STOA_TRUSTED_PROXY_COUNT = 0
    assert call(HTTP_X_REQUEST_ID=NGINX_ID)["id"] != NGINX_ID


@pytest.mark.parametrize(
    "given",
    [
        "short",
        "has space in it 123",
        'quote"0123456789',
        "new\nline0123456789",
        "x" * 129,
        "-starts-with-a-dash",
    ],
)
def test_the_proxys_id_is_kept_only_when_it_looks_like_one(settings, given: str) -> None:
    settings.STOA_TRUSTED_PROXY_COUNT = 1
    assert call(HTTP_X_REQUEST_ID=NGINX_ID)["id"] == NGINX_ID
    assert call(HTTP_X_REQUEST_ID=given)["id"] != given


def test_every_line_of_a_request_carries_its_id(settings, json_lines: io.StringIO) -> None:
    settings.STOA_TRUSTED_PROXY_COUNT = 1
    logger.warning("before")
    call(HTTP_X_REQUEST_ID=NGINX_ID)
    other = call()["id"]
    logger.warning("after")
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    assert [(line["message"], line["request_id"]) for line in lines] == [
        ("before", "-"),
        ("answering /about/", NGINX_ID),
        ("answered", NGINX_ID),
        ("answering /about/", other),
        ("answered", other),
        ("after", "-"),
    ]
    first = lines[1]
    assert first["level"] == "WARNING" and first["logger"] == "stoa.tests.logs"
    assert first["time"].endswith("+00:00")


def test_a_json_line_keeps_extras_but_never_the_request_object(json_lines: io.StringIO) -> None:
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": "192.0.2.44", "HTTP_COOKIE": "sessionid=secret"}
    logger.warning("Not Found: /x/", extra={"status_code": 404, "request": request})
    line = json.loads(json_lines.getvalue())
    assert line["status_code"] == 404
    assert "request" not in line
    assert "192.0.2.44" not in json_lines.getvalue()


def test_a_json_line_carries_the_traceback(json_lines: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    line = json.loads(json_lines.getvalue())
    assert line["message"] == "failed"
    assert "ValueError: boom" in line["exc_info"]


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="STOA_LOG_FORMAT must be text or json"):
        logging_config(log_format="xml", level="INFO")
