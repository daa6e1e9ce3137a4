"""Encryption of workflow and activity payloads (AES-256-GCM), so that what a case's history holds
is unreadable to anyone with access to Temporal but not to the keys.

Each encrypted payload names its key in its metadata; keys are given as `ARYZ_PAYLOAD_KEYS`,
"kid:base64key,kid:base64key", the first one encrypting. Rotation: put a new key first and keep
the old ones after it, so old histories still decode.

Decoding refuses a payload that is not encrypted: it becomes one no converter can read, so a
message sent around the API (e.g. with the Temporal CLI) fails to deserialise; an update is then
rejected before it enters history and a signal is dropped. (Raising here instead would fail the
whole workflow task, again and again.)
"""

import base64
import dataclasses
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, PayloadCodec

from schemas.keyring import KeySpecError, parse_key_spec

ENCODING = b"binary/encrypted"
REFUSED = b"binary/refused-unencrypted"
KEY_ID = "encryption-key-id"


KeyError_ = KeySpecError  # the codec's own name for it, kept for callers


def parse_keys(spec: str) -> dict[str, bytes]:
    return parse_key_spec(spec, 32, "payload key")


def new_key_spec(kid: str = "k1") -> str:
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: dict[str, bytes]) -> None:
        self.active = next(iter(keys))
        self.ciphers = {kid: AESGCM(key) for kid, key in keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        cipher = self.ciphers[self.active]
        out = []
        for p in payloads:
            nonce = os.urandom(12)
            out.append(Payload(metadata={"encoding": ENCODING, KEY_ID: self.active.encode()},
                               data=nonce + cipher.encrypt(nonce, p.SerializeToString(), None)))
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            if p.metadata.get("encoding") != ENCODING:
                out.append(Payload(metadata={"encoding": REFUSED}))
                continue
            kid = p.metadata[KEY_ID].decode()
            if kid not in self.ciphers:
                raise KeyError_(f"payload encrypted with unknown key {kid!r}")
            out.append(Payload.FromString(self.ciphers[kid].decrypt(p.data[:12], p.data[12:], None)))
        return out


def data_converter(keys: dict[str, bytes]) -> DataConverter:
    return dataclasses.replace(DataConverter.default, payload_codec=EncryptionCodec(keys))
