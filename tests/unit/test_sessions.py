"""Staff sessions end after idle time and, whatever the activity, a working day after sign-in."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from api.security import TokenError, create_token, read_token, session_ended

SECRET = "s" * 48


def test_a_session_ends_after_its_idle_time():
    claims = read_token(create_token("registrar", SECRET, 600, idle_minutes=30), SECRET)
    left = claims.expires_at - datetime.now(timezone.utc)
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)


def test_renewal_keeps_the_session_and_never_passes_its_absolute_end():
    first = read_token(create_token("registrar", SECRET, 600, idle_minutes=30), SECRET)
    renewed = read_token(create_token("registrar", SECRET, 600, idle_minutes=30, renewing=first), SECRET)
    assert renewed.jti == first.jti and renewed.signed_in_at == first.signed_in_at  # one session: one sign-out ends it
    nearly_over = replace(first, signed_in_at=datetime.now(timezone.utc) - timedelta(minutes=590))
    late = read_token(create_token("registrar", SECRET, 600, idle_minutes=30, renewing=nearly_over), SECRET)
    assert late.expires_at - datetime.now(timezone.utc) <= timedelta(minutes=10)
    over = replace(first, signed_in_at=datetime.now(timezone.utc) - timedelta(minutes=601))
    with pytest.raises(TokenError):
        read_token(create_token("registrar", SECRET, 600, idle_minutes=30, renewing=over), SECRET)


def test_signing_out_everywhere_ends_sessions_begun_before_it():
    claims = read_token(create_token("registrar", SECRET, 600), SECRET)
    assert not session_ended(claims, None)
    assert session_ended(claims, datetime.now(timezone.utc))
    assert not session_ended(claims, claims.signed_in_at - timedelta(seconds=1))
