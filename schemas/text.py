"""Text that PostgreSQL can store: no NUL characters anywhere in a payload."""

import re
from typing import Any

from pydantic_core import PydanticCustomError

CASE_NUMBER = re.compile(r"^[A-Z]{3}-\d{4}-\d{6}$")
_CASE_NUMBER_PARTS = re.compile(r"^([A-Z]{3})(\d{4})(\d{6})$")


def typed_case_number(typed: str) -> str:
    """A case number as a person types it off a letter: in any case, with spaces, dots or no
    dashes ("ref 2026 000123", "REF2026000123") is the number written "REF-2026-000123"."""
    squeezed = re.sub(r"[\s\-_./]+", "", typed.upper())
    parts = _CASE_NUMBER_PARTS.match(squeezed)
    return "-".join(parts.groups()) if parts else typed.strip().upper()


def typed_document_number(typed: str) -> str:
    """A document's number as someone types it off the paper: lower case, or spaces, dots or
    slashes between its parts ("ac gb 2026 000001") is the number written "AC-GB-2026-000001"."""
    return re.sub(r"[\s_./-]+", "-", typed.strip().upper()).strip("-")


# An issued document's number as rules/documents.toml formats it ({type}-{region}-{year}-{seq}).
DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_nul(v) for v in value)
    return False


def refuse_nul(value: Any) -> Any:
    """For pydantic `model_validator(mode="before")`: NUL characters are refused, not stored."""
    if has_nul(value):
        raise ValueError("text must not contain NUL characters")
    return value


# Bidirectional embedding, override and isolate controls (and the invisible direction marks):
# in a name they can make "Karimova" display as something else ("Trojan Source" style), in a
# list or an export they can reorder what an officer reads. They are removed on input.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"))


def strip_bidi(value: Any) -> Any:
    if isinstance(value, str):
        return value.translate(BIDI_CONTROLS)
    if isinstance(value, dict):
        return {strip_bidi(k): strip_bidi(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_bidi(v) for v in value]
    return value


def clean_text(value: Any) -> Any:
    """For pydantic `model_validator(mode="before")`: NUL refused, bidirectional controls removed."""
    return strip_bidi(refuse_nul(value))


def problem(code: str, message: str, field: str = "") -> PydanticCustomError:
    """A validation error with a stable `code` (its type, which the web form shows in the reader's
    language) and, for a check across fields, the `field` it is about (relative to the model)."""
    return PydanticCustomError(code, message, {"field": field} if field else None)
