"""Key lists as configured: "kid:base64key,kid:base64key", the first one in use, the others kept
so that what they sealed or signed before a rotation can still be read or checked."""

import base64


class KeySpecError(ValueError):
    pass


def parse_key_spec(spec: str, size: int = 32, what: str = "key") -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kid, _, b64 = part.partition(":")
        try:
            raw = base64.b64decode(b64, validate=True)
        except ValueError:
            raw = b""
        if not kid or len(raw) != size:
            raise KeySpecError(f"{what} {kid or '?'!r} must be 'id:<base64 of {size} bytes>'")
        keys[kid] = raw
    if not keys:
        raise KeySpecError(f"no {what} given")
    return keys


class Keyring:
    """Keys by id; the first one is in use (seals, signs), the others are kept for reading."""

    KIND = "key"

    def __init__(self, keys: dict[str, bytes]) -> None:
        self.keys = dict(keys)

    @classmethod
    def from_spec(cls, spec: str):
        return cls(parse_key_spec(spec, 32, cls.KIND))

    @property
    def active(self) -> str:
        return next(iter(self.keys))
