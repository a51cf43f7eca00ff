"""HTTPS with the connection pinned to the checked address: the certificate is still
verified against the URL's host name (SNI and hostname check), as a browser would."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from stoa.webhooks import sending
from stoa.webhooks.tests.test_addresses import resolving

pytestmark = pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command")


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)  # noqa: S603, S607


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Any]:
    """An HTTPS server on 127.0.0.1 with a certificate for hooks.test from a test CA that
    the process trusts (SSL_CERT_FILE, which OpenSSL's default paths read)."""
    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Stoa test CA",
        "-keyout", "ca.key", "-out", "ca.pem",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=tmp_path,
    )  # fmt: skip
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=hooks.test",
        "-keyout", "server.key", "-out", "server.csr",
        cwd=tmp_path,
    )  # fmt: skip
    (tmp_path / "san.ext").write_text("subjectAltName=DNS:hooks.test\n")
    openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.pem",
        cwd=tmp_path,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    settings.STOA_WEBHOOKS = {"ALLOW_PRIVATE_ADDRESSES": True, "TIMEOUT": 5.0}
    seen: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen["host"] = self.headers["Host"]
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    context.sni_callback = lambda sock, name, ctx: seen.update(sni=name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.seen = seen  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    server.server_close()


def test_https_to_a_pinned_address_verifies_the_certificate_for_the_urls_host(
    tls_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolving(monkeypatch, {"hooks.test": ["127.0.0.1"]})
    port = tls_server.server_address[1]
    outcome = sending.post(f"https://hooks.test:{port}/in", b"{}", {})
    assert (outcome.status_code, outcome.error) == (201, "")
    assert tls_server.seen == {"sni": "hooks.test", "host": f"hooks.test:{port}"}


def test_a_certificate_for_another_name_is_refused(
    tls_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolving(monkeypatch, {"other.test": ["127.0.0.1"]})
    port = tls_server.server_address[1]
    outcome = sending.post(f"https://other.test:{port}/in", b"{}", {})
    assert outcome.status_code is None
    assert "certificate" in outcome.error.lower() or "hostname" in outcome.error.lower()
    assert "host" not in tls_server.seen  # no request was sent


def test_a_certificate_from_an_unknown_authority_is_refused(
    tls_server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nothing.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    resolving(monkeypatch, {"hooks.test": ["127.0.0.1"]})
    outcome = sending.post(f"https://hooks.test:{tls_server.server_address[1]}/in", b"{}", {})
    assert outcome.status_code is None
    assert "certificate verify failed" in outcome.error.lower()


def test_a_name_that_cannot_be_resolved_now_is_a_failure_to_retry_not_a_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror("Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    outcome = sending.post("https://nowhere.test/in", b"{}", {})
    assert (outcome.status_code, outcome.refused) == (None, False)
    assert "could not be resolved" in outcome.error
