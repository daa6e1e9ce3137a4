"""The API's message signer: the only holder of the private key behind every `Proof`.

`ARYZ_MESSAGE_SIGNING_KEY` is "kid:base64(32-byte Ed25519 seed)" and is given to API processes
only; workers and replayers get `ARYZ_MESSAGE_PUBLIC_KEYS` ("kid:base64(public key),…", old keys
kept after a rotation). `aryz run` makes a pair under var/.
"""

import base64
import secrets
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from schemas.proof import TRUSTED, Proof, message_digest, parse_public_keys

DEFAULT_TTL = timedelta(minutes=2)
SIGNAL_TTL = timedelta(days=1)  # applicants' signals (see schemas.proof.SIGNAL_MAX_LIFETIME)


class MessageSigner:
    def __init__(self, kid: str, seed: bytes, ttl: timedelta = DEFAULT_TTL) -> None:
        self.kid = kid
        self.key = Ed25519PrivateKey.from_private_bytes(seed)
        self.ttl = ttl

    @classmethod
    def from_spec(cls, spec: str, ttl: timedelta = DEFAULT_TTL) -> "MessageSigner":
        kid, _, b64 = spec.strip().partition(":")
        seed = base64.b64decode(b64)
        if not kid or len(seed) != 32:
            raise ValueError("ARYZ_MESSAGE_SIGNING_KEY must be 'id:<base64 of a 32-byte seed>'")
        return cls(kid, seed, ttl)

    def public_key(self) -> bytes:
        return self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def public_spec(self) -> str:
        return f"{self.kid}:{base64.b64encode(self.public_key()).decode()}"

    def sign(self, message_name: str, case_number: str, actor: str, roles, message,
             now: datetime | None = None, ttl: timedelta | None = None, mission: str = "") -> Proof:
        """A proof that `actor` holding `roles` (at `mission`, for a consular officer) sent
        `message` (its `proof` field left out)."""
        now = now or datetime.now(timezone.utc)
        proof = Proof(kid=self.kid, message=message_name, case_number=case_number, actor=actor,
                      roles=sorted(roles), digest=message_digest(message), issued_at=now.isoformat(),
                      expires_at=(now + (ttl or self.ttl)).isoformat(), nonce=secrets.token_hex(16), mission=mission)
        proof.signature = base64.b64encode(self.key.sign(proof.signed_bytes())).decode()
        return proof

    def attach(self, message_name: str, case_number: str, actor: str, roles, message, now=None, ttl=None,
               mission: str = ""):
        message.proof = None
        message.proof = self.sign(message_name, case_number, actor, roles, message, now, ttl, mission)
        return message


def new_key_pair(kind: str, kid: str | None = None) -> str:
    """Lines for an env file: a new key of `kind`; for "message" and "document", the private key
    and its public half."""
    from datetime import date

    from stack.codec import new_key_spec

    kid = kid or f"{kind[0]}{date.today():%Y%m%d}"
    if kind == "document":
        from documents.seal import DocumentSigner, public_spec

        signing = new_signing_spec(kid)
        return (f"ARYZ_DOCUMENT_SIGNING_KEYS={signing}\n"
                f"ARYZ_DOCUMENT_PUBLIC_KEYS={public_spec(DocumentSigner.from_spec(signing).public_keys())}")
    if kind != "message":
        return f"ARYZ_{kind.upper()}_KEYS={new_key_spec(kid)}"
    signing = new_signing_spec(kid)
    return (f"ARYZ_MESSAGE_SIGNING_KEY={signing}\n"
            f"ARYZ_MESSAGE_PUBLIC_KEYS={MessageSigner.from_spec(signing).public_spec()}")


def new_signing_spec(kid: str = "m1") -> str:
    return f"{kid}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


def trust_public_keys(spec: str | None, signer: MessageSigner | None = None) -> None:
    """Fill this process's trust store: the configured public keys, and the signer's own."""
    if spec:
        TRUSTED.trust(parse_public_keys(spec))
    if signer is not None:
        TRUSTED.trust({signer.kid: signer.public_key()})
