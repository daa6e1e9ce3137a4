"""Encryption of workflow and activity payloads (AES-256-GCM), so that what a case's history holds
is unreadable to anyone with access to Temporal but not to the keys.

Each encrypted payload names its key in its metadata; keys are given as `ARYZ_PAYLOAD_KEYS`,
"kid:base64key,kid:base64key", the first one encrypting. Rotation: put a new key first and keep
the old ones after it, so old histories still decode.

Decoding refuses a payload it cannot read: one not encrypted, one that names a key it does not
hold, or one whose bytes do not decrypt (garbage under the right metadata). Each becomes a payload
no converter can read, so a message sent around the API (e.g. with the Temporal CLI) fails to
deserialise; an update is then rejected before it enters history and a signal is dropped. (Raising
here instead would fail every workflow task of the case from then on: officers refused, deadlines
never firing.) A payload of the case's own that names a key this process lacks fails its workflow
task just as surely, as its input cannot be read, until the key is given back.
"""

import base64
import dataclasses
import logging
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter, PayloadCodec

from schemas.keyring import KeySpecError, parse_key_spec

ENCODING = b"binary/encrypted"
REFUSED = b"binary/refused-unencrypted"
REFUSED_KEY = b"binary/refused-unknown-key"
REFUSED_BYTES = b"binary/refused-undecryptable"
KEY_ID = "encryption-key-id"


log = logging.getLogger(__name__)

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
            kid = p.metadata.get(KEY_ID, b"").decode(errors="replace")
            if kid not in self.ciphers:
                log.warning("payload refused: encrypted with a key this process does not hold (%r)", kid[:40])
                out.append(Payload(metadata={"encoding": REFUSED_KEY, KEY_ID: kid[:40].encode()}))
                continue
            try:
                out.append(Payload.FromString(self.ciphers[kid].decrypt(p.data[:12], p.data[12:], None)))
            except (InvalidTag, ValueError, DecodeError):
                log.warning("payload refused: it does not decrypt with key %r", kid)
                out.append(Payload(metadata={"encoding": REFUSED_BYTES}))
        return out


def data_converter(keys: dict[str, bytes]) -> DataConverter:
    return dataclasses.replace(DataConverter.default, payload_codec=EncryptionCodec(keys))
