import base64
import hashlib
import hmac

import pytest

from openiop.telehealth import tokens

SECRET = "a-test-secret-that-is-long-enough-0123456789"


def test_it_signs_like_janus_auth_c():
    token = tokens.sign(SECRET, expires_at=1700000000, realm="janus", descriptors=["a", "b"])
    text, signature = token.split(":")
    assert text == "1700000000,janus,a,b"
    expected = hmac.new(SECRET.encode(), text.encode(), hashlib.sha1).digest()
    assert base64.b64decode(signature) == expected


def test_core_token_lists_the_videoroom_plugin_and_expires_soon():
    token = tokens.core_token(SECRET, now=1000, ttl=120)
    assert token.startswith("1120,janus,janus.plugin.videoroom:")
    assert tokens.verify(SECRET, token, realm="janus", now=1100) == ["janus.plugin.videoroom"]


def test_room_token_names_one_room():
    token = tokens.room_token(SECRET, "6f1c-room", now=1000)
    assert token.startswith(
        f"{1000 + tokens.DEFAULT_TTL_SECONDS},janus.plugin.videoroom,room=6f1c-room:"
    )
    assert tokens.verify(SECRET, token, realm="janus.plugin.videoroom", now=1000) == [
        "room=6f1c-room"
    ]


def test_default_expiry_is_minutes_not_hours():
    assert 60 <= tokens.DEFAULT_TTL_SECONDS <= 600


@pytest.mark.parametrize(
    ("token_args", "realm", "now", "message"),
    [
        ({"secret": "another-secret"}, "janus", 1000, "bad signature"),
        ({}, "janus.plugin.videoroom", 1000, "wrong realm"),
        ({}, "janus", 2000, "expired"),
    ],
)
def test_verify_refuses_forged_mismatched_and_expired(token_args, realm, now, message):
    token = tokens.core_token(token_args.get("secret", SECRET), now=1000, ttl=60)
    with pytest.raises(tokens.TokenError, match=message):
        tokens.verify(SECRET, token, realm=realm, now=now)


@pytest.mark.parametrize("bad", ["", "room=a,b", "room:1"])
def test_it_refuses_parts_that_would_change_the_token(bad):
    with pytest.raises(tokens.TokenError):
        tokens.sign(SECRET, expires_at=1, realm="janus", descriptors=[bad])


def test_it_refuses_an_empty_secret():
    with pytest.raises(tokens.TokenError):
        tokens.core_token("")


def test_turn_credentials_follow_coturn_use_auth_secret():
    username, password = tokens.turn_credentials("turn-secret", ttl=600, now=1000)
    expiry, opaque = username.split(":")
    assert expiry == "1600"
    assert len(opaque) == 12
    expected = hmac.new(b"turn-secret", username.encode(), hashlib.sha1).digest()
    assert base64.b64decode(password) == expected
