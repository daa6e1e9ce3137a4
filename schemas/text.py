"""Text that PostgreSQL can store: no NUL characters anywhere in a payload."""

import re
from typing import Any

CASE_NUMBER = re.compile(r"^[A-Z]{3}-\d{4}-\d{6}$")


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
