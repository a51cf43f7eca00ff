"""How each delivery is signed: the Standard Webhooks specification
(https://www.standardwebhooks.com, spec/standard-webhooks.md), chosen over a header of our
own (Stripe's `Stripe-Signature: t=...,v1=...`) because a receiver can then verify with an
existing library in their language (`standardwebhooks` on PyPI and npm, Svix's) instead of
code written from our documentation.

Three headers go with every request:

- ``webhook-id``: the message's id (``msg_...``), the same on every retry and resend, so a
  receiver can drop a copy it has already handled;
- ``webhook-timestamp``: when this attempt was signed, in whole seconds since the Unix epoch
  (a receiver refuses one too far from its clock: a replayed request);
- ``webhook-signature``: ``v1,<base64 of HMAC-SHA256(key, "<id>.<timestamp>.<body>")>``; the
  spec allows several, space-separated (a key being rotated), we send one.

The key is the endpoint's secret, ``whsec_`` followed by the base64 of 32 random bytes; the
HMAC is keyed with the decoded bytes, as the spec says.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError

SECRET_PREFIX = "whsec_"  # noqa: S105 - the spec's marker of a secret, not one
SECRET_BYTES = 32
# The spec asks for keys between 24 and 64 bytes.
MIN_KEY_BYTES, MAX_KEY_BYTES = 24, 64


def new_secret() -> str:
    """A fresh endpoint secret, as the spec writes them."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key a secret stands for, or ValidationError saying what is wrong with it."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValidationError(f"A secret starts with {SECRET_PREFIX} (Standard Webhooks).")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError(f"After {SECRET_PREFIX}, a secret is base64.") from error
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValidationError(
            f"A secret is {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes (base64 after {SECRET_PREFIX})."
        )
    return key


def validate_secret(secret: str) -> None:
    secret_key(secret)


def signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value for this message, time and body."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(*, secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Every header that goes with one attempt."""
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(
            secret=secret, message_id=message_id, timestamp=timestamp, body=body
        ),
    }
