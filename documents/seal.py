"""Signatures on documents: over the canonical data (the QR code's seal) and over the PDF's bytes.

A seal is `ARYZ1.<data>.<key id>.<signature>` (base64url): the data is the document's canonical
fields as a compact JSON array, signed with Ed25519, in the spirit of ICAO's Visible Digital
Seal — anyone holding the public key can check it offline, without asking aryz. The PDF carries
the seal in its QR code and, after its last `%%EOF`, one comment line with the seal again and a
second signature over the seal and the SHA-256 of every byte before that line: a changed byte
anywhere in the document no longer verifies, and the visible page is bound to the sealed data.

Keys: `ARYZ_DOCUMENT_SIGNING_KEYS` "kid:base64(32-byte seed),…" (workers only; the first signs,
the others are kept so that their public halves stay published after a rotation).
"""

import base64
import hashlib
import json
from dataclasses import astuple, dataclass, fields

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from schemas.keyring import parse_key_spec

SEAL_VERSION = "ARYZ1"
TRAILER = b"\n%ARYZ-SEAL "
_FILE_CONTEXT = b"aryz-document-file-1\n"


@dataclass(frozen=True)
class SealedData:
    """What a document's signature covers: enough to recognise the holder and the document."""

    number: str
    doc_type: str
    holder: str  # the full name (or an organisation's name) as printed
    birth_date: str  # ISO date, "" for an organisation
    valid_from: str  # ISO date
    valid_until: str  # ISO date, "" when the document does not expire (a decision letter)
    issuer: str  # the issuing authority's code (rules/documents.toml)
    replaces: str = ""  # the number of the document this one replaces

    def canonical(self) -> bytes:
        return json.dumps(list(astuple(self)), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_canonical(cls, raw: bytes) -> "SealedData":
        values = json.loads(raw)
        names = [f.name for f in fields(cls)]
        if not isinstance(values, list) or len(values) != len(names) or not all(isinstance(v, str) for v in values):
            raise SealInvalid("malformed")
        return cls(*values)


class SealInvalid(ValueError):
    """Why a seal or a document file does not verify: a short code (malformed, unknown_key,
    bad_signature, altered, no_seal)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise SealInvalid("malformed") from None


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


class DocumentSigner:
    """The issuing side: signs with the first key; knows every key's public half."""

    def __init__(self, seeds: dict[str, bytes]) -> None:
        self.keys = {kid: Ed25519PrivateKey.from_private_bytes(seed) for kid, seed in seeds.items()}
        self.kid = next(iter(self.keys))

    @classmethod
    def from_spec(cls, spec: str) -> "DocumentSigner":
        return cls(parse_key_spec(spec, 32, "document signing key"))

    def public_keys(self) -> dict[str, bytes]:
        return {kid: public_bytes(key) for kid, key in self.keys.items()}

    def seal(self, data: SealedData) -> str:
        raw = data.canonical()
        return ".".join((SEAL_VERSION, _b64(raw), self.kid, _b64(self.keys[self.kid].sign(raw))))

    def seal_file(self, pdf: bytes, seal: str) -> bytes:
        """The PDF with its trailer line: the seal and a signature over the seal and the bytes."""
        kid = seal.split(".")[2]
        signature = self.keys[kid].sign(_file_message(pdf, seal))
        return pdf + TRAILER + f"{seal} {_b64(signature)}\n".encode()


def _file_message(pdf: bytes, seal: str) -> bytes:
    return _FILE_CONTEXT + seal.encode() + b"\n" + hashlib.sha256(pdf).digest()


def _verify(public_keys: dict[str, bytes], kid: str, signature: bytes, message: bytes) -> None:
    key = public_keys.get(kid)
    if key is None:
        raise SealInvalid("unknown_key")
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
    except (InvalidSignature, ValueError):
        raise SealInvalid("bad_signature") from None


def open_seal(seal: str, public_keys: dict[str, bytes]) -> tuple[SealedData, str]:
    """The sealed data and the key id, once the signature checks; SealInvalid otherwise."""
    parts = seal.strip().split(".")
    if len(parts) != 4 or parts[0] != SEAL_VERSION:
        raise SealInvalid("malformed")
    raw = _unb64(parts[1])
    _verify(public_keys, parts[2], _unb64(parts[3]), raw)
    return SealedData.from_canonical(raw), parts[2]


def open_file(document: bytes, public_keys: dict[str, bytes]) -> tuple[SealedData, str]:
    """Checks a whole PDF: its trailer's file signature (nothing altered), then its seal."""
    at = document.rfind(TRAILER)
    if at < 0:
        raise SealInvalid("no_seal")
    line = document[at + len(TRAILER):].rstrip(b"\n")
    try:
        seal, file_signature = line.decode("ascii").split(" ")
    except (UnicodeDecodeError, ValueError):
        raise SealInvalid("malformed") from None
    data, kid = open_seal(seal, public_keys)
    try:
        _verify(public_keys, kid, _unb64(file_signature), _file_message(document[:at], seal))
    except SealInvalid as e:
        raise SealInvalid("altered" if e.code == "bad_signature" else e.code) from None
    return data, kid


def find_seal(text: str) -> str | None:
    """The seal inside what a QR code holds (the verification URL on one line, the seal on another)."""
    return next((line.strip() for line in text.splitlines() if line.strip().startswith(SEAL_VERSION + ".")), None)


def parse_public_keys(spec: str) -> dict[str, bytes]:
    return parse_key_spec(spec, 32, "document public key")


def public_spec(keys: dict[str, bytes]) -> str:
    return ",".join(f"{kid}:{base64.b64encode(key).decode()}" for kid, key in keys.items())
