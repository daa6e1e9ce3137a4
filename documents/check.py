"""`aryz verify`: checks a document offline, with nothing but the public keys.

Exit status 0: signed by one of the keys and (for a PDF) not a byte changed; 1: it does not
verify, and why; 2: nothing to check, or no keys. Whether the document is still in force
(revoked, replaced…) only the registry knows: open the verification address it prints.
"""

import json
import sys
from pathlib import Path

from documents.seal import SealInvalid, find_seal, open_file, open_seal, parse_public_keys

PROBLEMS = {
    "no_seal": "this file carries no aryz signature (not a document aryz issued, or rewritten since)",
    "malformed": "the signature cannot be read (the file or the QR code's text is damaged)",
    "unknown_key": "signed with a key that is not among the given public keys",
    "bad_signature": "the signature does not match the signed data: the data were changed",
    "altered": "the PDF was changed after it was signed",
}


def load_keys(arg: str | None) -> dict[str, bytes]:
    """--keys as given ('kid:base64,…' or a JSON file saved from /verify/keys), else this
    installation's (ARYZ_DOCUMENT_PUBLIC_KEYS, or the key `aryz run` keeps under var/)."""
    if arg:
        path = Path(arg)
        if path.is_file():
            saved = json.loads(path.read_text())
            return parse_public_keys(saved["spec"] if "spec" in saved else
                                     ",".join(f"{k}:{v}" for k, v in saved["keys"].items()))
        return parse_public_keys(arg)
    from settings import document_public_keys, get_settings

    settings = get_settings()
    keys = document_public_keys(settings)
    kept = settings.var_dir / "document_signing_keys"
    if not keys and kept.exists():
        from documents.seal import DocumentSigner

        keys = DocumentSigner.from_spec(kept.read_text().strip()).public_keys()
    return keys


def verify_command(file: str | None, seal: str | None, keys_arg: str | None, out=sys.stdout) -> int:
    if not file and not seal:
        print("aryz verify: give the document's PDF, or --seal with what its QR code holds", file=out)
        return 2
    try:
        keys = load_keys(keys_arg)
    except (ValueError, KeyError, json.JSONDecodeError) as e:
        print(f"aryz verify: unusable --keys: {e}", file=out)
        return 2
    if not keys:
        print("aryz verify: no public keys: pass --keys (GET /verify/keys publishes them)", file=out)
        return 2
    try:
        if file:
            data, kid = open_file(Path(file).read_bytes(), keys)
        else:
            data, kid = open_seal(find_seal(seal) or seal, keys)
    except SealInvalid as e:
        print(f"NOT VERIFIED: {PROBLEMS.get(e.code, e.code)}", file=out)
        return 1
    except OSError as e:
        print(f"aryz verify: cannot read {file}: {e.strerror}", file=out)
        return 2
    print(f"VERIFIED: signed with key {kid}" + (", and the PDF is unaltered" if file else ""), file=out)
    for label, value in (("number", data.number), ("type", data.doc_type), ("holder", data.holder),
                         ("date of birth", data.birth_date), ("valid from", data.valid_from),
                         ("valid until", data.valid_until or "(does not expire)"), ("issuer", data.issuer),
                         ("replaces", data.replaces)):
        if value:
            print(f"  {label:14} {value}", file=out)
    print("Whether it is still in force (not revoked or replaced): open its verification address, "
          f"/verify/{data.number}", file=out)
    return 0
