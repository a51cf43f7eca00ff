"""One attempt to deliver a message: an HTTP POST to a checked address, bounded in time and
in what is read back.

urllib3 is asked to connect to the address addresses.target() checked, with the URL's host
in the Host header, and for https in SNI and the certificate check: the host is resolved once
per attempt, so it cannot resolve to an allowed address for the check and another for the
connection. No redirect is followed (its target could be anything; a 3xx is a failure the
log shows), no proxy from the environment is used, nothing is retried here (the task does
that, with backoff).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import HTTPError

from stoa.webhooks.addresses import Refused, Unresolvable, target
from stoa.webhooks.conf import webhooks_setting

CHUNK = 1024


@dataclass(frozen=True)
class Outcome:
    """What happened to one attempt."""

    status_code: int | None
    duration_ms: int
    response: str = ""
    error: str = ""
    refused: bool = False
    retry_after: int | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _retry_after(value: str | None) -> int | None:
    """A Retry-After of seconds (RFC 9110 10.2.3); a date is left to the backoff."""
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `url`; never raises for what the receiver or the network does."""
    started = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        where = target(url)
    except Unresolvable as missing:
        return Outcome(None, elapsed_ms(), error=str(missing))
    except Refused as refused:
        return Outcome(None, elapsed_ms(), error=str(refused), refused=True)
    limit = float(webhooks_setting("TIMEOUT"))
    timeout = urllib3.Timeout(connect=float(webhooks_setting("CONNECT_TIMEOUT")), read=limit)
    pool: urllib3.HTTPConnectionPool
    if where.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            where.address,
            where.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            server_hostname=where.host,
            assert_hostname=where.host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(
            where.address, where.port, timeout=timeout, retries=False, maxsize=1
        )
    cap = int(webhooks_setting("MAX_RESPONSE_BYTES"))
    try:
        with pool:
            response = pool.urlopen(
                "POST",
                where.path,
                body=body,
                headers={**headers, "Host": where.host_header, "User-Agent": "Stoa-Webhooks/1"},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            read = b""
            try:
                # A receiver that answers byte by byte is cut off at the time limit, not
                # only when one read waits longer than it. The status decides the outcome:
                # a body that stalls or breaks after it changes nothing.
                while len(read) < cap and time.monotonic() - started < limit:
                    chunk = response.read(min(CHUNK, cap - len(read)))
                    if not chunk:
                        break
                    read += chunk
            except (HTTPError, OSError):
                pass
            finally:
                response.close()
            return Outcome(
                response.status,
                elapsed_ms(),
                response=read.decode("utf-8", errors="replace"),
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )
    except (HTTPError, OSError) as error:
        return Outcome(None, elapsed_ms(), error=f"{type(error).__name__}: {error}"[:500])
