"""Proof of origin for messages to case workflows.

A workflow trusts no actor or role written in a message: only the API, after it has checked a
bearer token (roles read from the database at that moment) or an applicant's access code, can
sign a `Proof` with its Ed25519 key. Workers hold the public keys only, so neither someone who
reaches the Temporal port nor a worker can make a proof. Verification is pure computation (no
clock, no I/O): the caller gives the time, so update validators and signal handlers stay
deterministic and replay the same.

Keys are named by a key id carried in the proof; rotating keeps the old public keys trusted so
that histories signed with them still replay.
"""

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from schemas.keyring import parse_key_spec

# A proof older than this is refused whatever its own expiry says; a little clock skew between
# an API machine and a worker machine is tolerated on `issued_at`.
MAX_LIFETIME = timedelta(minutes=15)
# A signal cannot be refused before it enters history, and is checked when a worker takes it, which
# may be after an outage: an applicant's message lives a day (its nonce still stops a replay).
SIGNAL_MAX_LIFETIME = timedelta(days=2)
CLOCK_SKEW = timedelta(minutes=2)


@dataclass
class Proof:
    kid: str
    message: str  # the update or signal it was made for, e.g. "decide"
    case_number: str
    actor: str
    roles: list[str]
    digest: str  # SHA-256 of the message's canonical JSON, the proof itself left out
    issued_at: str  # ISO 8601, UTC
    expires_at: str
    nonce: str
    signature: str = ""  # base64 Ed25519 over `signed_bytes()`
    # The diplomatic mission (country code) a consular officer serves; empty for everyone else,
    # and then left out of the signed claims, so proofs made before missions existed still verify.
    mission: str = ""

    def signed_bytes(self) -> bytes:
        claims = {f.name: getattr(self, f.name) for f in fields(self)
                  if f.name != "signature" and not (f.name == "mission" and not self.mission)}
        return canonical(claims)


@dataclass(frozen=True)
class Sender:
    actor: str
    roles: tuple[str, ...]
    mission: str = ""


class ProofError(ValueError):
    """Why a message's proof was refused (said to the caller, never logged with its content)."""


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def message_digest(message) -> str:
    """The digest a proof binds: every field of the message dataclass except `proof`."""
    body = {k: v for k, v in asdict(message).items() if k != "proof"}
    return hashlib.sha256(canonical(body)).hexdigest()


@dataclass
class TrustStore:
    """Public keys by key id. Module-level `TRUSTED` is filled once per process (worker, API,
    replayer) from settings; a workflow reads it through a passed-through import."""

    keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    def trust(self, public_keys: dict[str, bytes]) -> None:
        for kid, raw in public_keys.items():
            self.keys[kid] = Ed25519PublicKey.from_public_bytes(raw)

    def verify(self, proof: "Proof | None", message: str, case_number: str, body, now: datetime,
               max_lifetime: timedelta = MAX_LIFETIME) -> Sender:
        if proof is None:
            raise ProofError("the message carries no proof of origin")
        key = self.keys.get(proof.kid)
        if key is None:
            raise ProofError(f"the proof is signed with an unknown key {proof.kid[:20]!r}")
        try:
            key.verify(base64.b64decode(proof.signature, validate=True), proof.signed_bytes())
        except (InvalidSignature, ValueError):
            raise ProofError("the proof's signature does not verify") from None
        if proof.message != message or proof.case_number != case_number:
            raise ProofError("the proof was made for another message or case")
        if proof.digest != message_digest(body):
            raise ProofError("the message was altered after it was signed")
        try:
            issued, expires = datetime.fromisoformat(proof.issued_at), datetime.fromisoformat(proof.expires_at)
        except ValueError:
            raise ProofError("the proof's times are malformed") from None
        if issued - CLOCK_SKEW > now or expires < now or expires - issued > max_lifetime:
            raise ProofError("the proof has expired or is not valid yet")
        return Sender(proof.actor, tuple(proof.roles), proof.mission)


def parse_public_keys(spec: str) -> dict[str, bytes]:
    """"kid:base64(32-byte Ed25519 public key),…"."""
    return parse_key_spec(spec, 32, "message public key")


TRUSTED = TrustStore()
