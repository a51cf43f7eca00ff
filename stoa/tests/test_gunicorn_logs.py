"""gunicorn's access log (gunicorn.conf.py): each line ends with the request's id, and with
STOA_LOG_FORMAT=json it is one JSON object with the same fields. The line written through
a real gunicorn behind nginx: stoa/tests/test_proxy_operations.py."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.config import Config

REPO = Path(__file__).resolve().parents[2]
REQUEST_ID = "0f3c2a9b8e7d6c5b4a3928171605f4e3"


def gunicorn_conf() -> Any:
    spec = importlib.util.spec_from_file_location("stoa_gunicorn_conf", REPO / "gunicorn.conf.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def log_one_request(tmp_path: Path) -> str:
    conf = gunicorn_conf()
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", conf.access_log_format)
    logger = conf.ClientAddressLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/about/?page=2",
        "PATH_INFO": "/about/",
        "QUERY_STRING": "page=2",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9",
        "HTTP_USER_AGENT": 'a "quoted" agent',
    }
    response = SimpleNamespace(
        status="200 OK",
        sent=1234,
        headers=[("Content-Type", "text/html"), ("X-Request-ID", REQUEST_ID)],
    )
    request = SimpleNamespace(headers=[("USER-AGENT", 'a "quoted" agent')])
    logger.access(response, request, environ, dt.timedelta(milliseconds=12, microseconds=500))
    for handler in logger.access_log.handlers:
        handler.flush()
    return (tmp_path / "access.log").read_text()


def test_the_text_line_ends_with_the_request_id(tmp_path: Path, monkeypatch, settings) -> None:
    monkeypatch.delenv("STOA_LOG_FORMAT", raising=False)
    settings.STOA_TRUSTED_PROXY_COUNT = 1
    line = log_one_request(tmp_path).strip()
    assert line.split()[0] == "203.0.113.9"  # the client nginx saw, not the one it wrote
    assert line.split()[-1] == REQUEST_ID


@pytest.mark.parametrize("value", ["json", "JSON "])
def test_the_json_line_has_the_same_fields(tmp_path: Path, monkeypatch, settings, value) -> None:
    monkeypatch.setenv("STOA_LOG_FORMAT", value)
    settings.STOA_TRUSTED_PROXY_COUNT = 1
    line = json.loads(log_one_request(tmp_path))
    assert line["client"] == "203.0.113.9"
    assert line["request"] == "GET /about/?page=2 HTTP/1.1"
    assert line["status"] == "200"
    assert line["bytes"] == 1234
    assert line["duration_ms"] == 12.5
    assert line["user_agent"] == 'a "quoted" agent'
    assert line["request_id"] == REQUEST_ID
    assert line["logger"] == "gunicorn.access"
    assert dt.datetime.fromisoformat(line["time"]).utcoffset() == dt.timedelta(0)
