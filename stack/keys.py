"""The keys of the embedded stack, in one place: `var/`. `aryz run` and every tool beside it
(`aryz audit verify`, `aryz replay`, `aryz reconcile`) read them from there, so what verifies in the
API verifies in the tool. `aryz keys rotate KIND` makes a new key the one in use and keeps the old
ones after it (they still open, verify and replay what they wrote); `aryz run` started again uses
it. Keys given in ARYZ_* variables instead are written to `var/` by `aryz run` (stack/embedded.py),
so the tools beside it read what it runs with.
"""

from datetime import date
from pathlib import Path

from stack.codec import new_key_spec
from stack.proofs import MessageSigner, new_signing_spec

# kind -> the file in var/ holding its keys (the first in use)
FILES = {"payload": "payload_keys", "data": "data_keys", "audit": "audit_keys",
         "document": "document_signing_keys", "message": "message_signing_key"}
RETIRED_MESSAGE_KEYS = "message_public_keys"  # public halves of message keys rotated out


def write_secret(path: Path, value: str) -> None:
    partial = path.with_suffix(".new")
    partial.write_text(value)
    partial.chmod(0o600)
    partial.replace(path)


def rotate(var: Path, kind: str, kid: str | None = None) -> str:
    """Puts a new key of `kind` in use in var/; returns its id."""
    path = var / FILES[kind]
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: start `aryz run` once first")
    old = path.read_text().strip()
    kid = kid or f"{kind[0]}{date.today():%Y%m%d}"
    if kid in {part.partition(":")[0] for part in old.split(",")}:
        raise ValueError(f"a {kind} key {kid!r} exists already: choose another id with --kid")
    if kind == "message":
        # One signing key; its public half stays trusted, so histories it signed still replay.
        retired = var / RETIRED_MESSAGE_KEYS
        public = MessageSigner.from_spec(old).public_spec()
        kept = retired.read_text().strip() if retired.exists() else ""
        write_secret(retired, ",".join(filter(None, [kept, public])))
        write_secret(path, new_signing_spec(kid))
        return kid
    new = new_signing_spec(kid) if kind == "document" else new_key_spec(kid)
    write_secret(path, f"{new},{old}")
    return kid
