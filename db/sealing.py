"""Envelope encryption of the most sensitive personal data at rest in PostgreSQL.

Asylum grounds, bank accounts, decision data (interview records, verification notes, reasons
given with a decision's data) and uploaded scans are stored sealed with AES-256-GCM, the same
key machinery as the Temporal payload codec (`ARYZ_DATA_KEYS`, "kid:base64,…", first seals, old
ones kept for reading). A value is bound to where it belongs (the case and the field) as
associated data, so a sealed value moved to another case or field no longer opens. Only the
services that show or use these values open them; a copy of the database shows none of them.
"""

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from schemas.keyring import Keyring

MARK = "$sealed"
_BYTES_MAGIC = b"ARYZ1"

# Fields of an application sealed at rest, per procedure.
SEALED_APPLICATION_FIELDS: dict[str, tuple[str, ...]] = {
    "refugee": ("grounds",),
    "repatriation": ("bank_account",),
}


class SealError(ValueError):
    pass


class Sealer(Keyring):
    KIND = "data key"

    def _encrypt(self, plain: bytes, where: str) -> tuple[str, bytes]:
        nonce = os.urandom(12)
        return self.active, nonce + AESGCM(self.keys[self.active]).encrypt(nonce, plain, where.encode())

    def _decrypt(self, kid: str, blob: bytes, where: str) -> bytes:
        key = self.keys.get(kid)
        if key is None:
            raise SealError(f"sealed with an unknown data key {kid!r}")
        try:
            return AESGCM(key).decrypt(blob[:12], blob[12:], where.encode())
        except InvalidTag:
            raise SealError(f"a sealed value does not open for {where.split('|')[-1]!r}") from None

    # ---- JSON values (inside JSONB columns) -------------------------------------------
    def seal(self, value: Any, where: str) -> dict[str, str]:
        kid, blob = self._encrypt(json.dumps(value, ensure_ascii=False, default=str).encode(), where)
        return {MARK: f"{kid}:{base64.b64encode(blob).decode()}"}

    def open(self, value: Any, where: str) -> Any:
        if not is_sealed(value):
            return value
        kid, _, b64 = value[MARK].partition(":")
        return json.loads(self._decrypt(kid, base64.b64decode(b64), where))

    # ---- files ----------------------------------------------------------------------
    def seal_bytes(self, data: bytes, where: str) -> bytes:
        kid, blob = self._encrypt(data, where)
        return _BYTES_MAGIC + kid.encode().ljust(16, b"\0") + blob

    def open_bytes(self, data: bytes, where: str) -> bytes:
        if not data.startswith(_BYTES_MAGIC):
            return data
        kid = data[5:21].rstrip(b"\0").decode()
        return self._decrypt(kid, data[21:], where)

    # ---- an application -----------------------------------------------------------------
    def seal_application(self, procedure: str, case_number: str, application: dict[str, Any]) -> dict[str, Any]:
        return {k: (self.seal(v, f"{case_number}|application.{k}")
                    if k in SEALED_APPLICATION_FIELDS.get(procedure, ()) and not is_sealed(v) else v)
                for k, v in application.items()}

    def open_application(self, case_number: str, application: dict[str, Any]) -> dict[str, Any]:
        return {k: self.open(v, f"{case_number}|application.{k}") for k, v in application.items()}


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {MARK}


def session_sealer(session) -> Sealer:
    sealer = session.info.get("sealer")
    if sealer is None:
        raise RuntimeError("no data key: build sessions with make_sessionmaker(engine, audit_keys, sealer)")
    return sealer
