"""Signatures as the Standard Webhooks specification defines them, checked by another
implementation (the `standardwebhooks` package) and by hand from the spec's words."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest
from django.core.exceptions import ValidationError
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from stoa.webhooks import signing

BODY = b'{"type":"post.published","data":{"post":{"id":1,"title":"\xc3\xa9t\xc3\xa9"}}}'


def signed(secret: str, body: bytes = BODY, message_id: str = "msg_1") -> dict[str, str]:
    return signing.headers(
        secret=secret, message_id=message_id, timestamp=int(time.time()), body=body
    )


def test_a_signed_delivery_verifies_with_the_standard_webhooks_library() -> None:
    secret = signing.new_secret()
    payload = Webhook(secret).verify(BODY, signed(secret))
    assert payload["data"]["post"]["title"] == "été"


def test_the_signature_is_hmac_sha256_of_id_timestamp_and_body_with_the_decoded_key() -> None:
    secret = signing.new_secret()
    headers = signing.headers(secret=secret, message_id="msg_abc", timestamp=1700000000, body=BODY)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = hmac.new(key, b"msg_abc.1700000000." + BODY, hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(expected).decode()
    assert headers["webhook-id"] == "msg_abc"
    assert headers["webhook-timestamp"] == "1700000000"


def test_another_body_or_another_secret_does_not_verify() -> None:
    secret = signing.new_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"1", b"2"), signed(secret))
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(BODY, signed(secret))


def test_a_new_secret_is_32_random_bytes_and_never_the_same() -> None:
    first, second = signing.new_secret(), signing.new_secret()
    assert first != second
    assert len(signing.secret_key(first)) == 32


@pytest.mark.parametrize(
    ("secret", "says"),
    [
        ("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", "starts with whsec_"),
        ("whsec_not base64!", "base64"),
        ("whsec_" + base64.b64encode(b"short").decode(), "24 to 64 bytes"),
    ],
)
def test_a_malformed_secret_is_refused_saying_why(secret: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        signing.validate_secret(secret)
