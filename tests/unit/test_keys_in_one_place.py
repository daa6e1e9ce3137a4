"""Keys in one place (issue 29): `aryz keys --rotate` puts a new key in use in var/, keeping the old
ones after it, where `aryz run` and the tools beside it both read them."""

import pytest

from stack.codec import EncryptionCodec, new_key_spec, parse_keys
from stack.keys import RETIRED_MESSAGE_KEYS, rotate
from stack.proofs import MessageSigner, new_signing_spec


def test_a_rotated_key_is_first_and_the_old_ones_still_open_what_they_sealed(tmp_path):
    (tmp_path / "payload_keys").write_text(new_key_spec("k1"))
    old = EncryptionCodec(parse_keys((tmp_path / "payload_keys").read_text()))
    assert rotate(tmp_path, "payload", "k2") == "k2"
    keys = parse_keys((tmp_path / "payload_keys").read_text())
    assert list(keys) == ["k2", "k1"] and (tmp_path / "payload_keys").stat().st_mode & 0o777 == 0o600
    assert EncryptionCodec(keys).active == "k2" and old.ciphers["k1"]
    with pytest.raises(ValueError, match="exists already"):
        rotate(tmp_path, "payload", "k1")


def test_a_rotated_message_key_keeps_its_public_half_trusted(tmp_path):
    first = new_signing_spec("m1")
    (tmp_path / "message_signing_key").write_text(first)
    rotate(tmp_path, "message", "m2")
    assert MessageSigner.from_spec((tmp_path / "message_signing_key").read_text()).kid == "m2"
    assert (tmp_path / RETIRED_MESSAGE_KEYS).read_text() == MessageSigner.from_spec(first).public_spec()
    rotate(tmp_path, "message", "m3")
    assert [p.split(":")[0] for p in (tmp_path / RETIRED_MESSAGE_KEYS).read_text().split(",")] == ["m1", "m2"]


def test_rotating_before_the_stack_ever_ran_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="start `aryz run` once first"):
        rotate(tmp_path, "data")
