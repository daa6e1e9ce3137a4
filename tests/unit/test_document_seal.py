"""Document signatures: the seal over the canonical data, the signature over the PDF's bytes,
tampering of either, keys rotated, and `aryz verify`'s answers."""

import base64
import io
import json

import pytest

from documents.check import verify_command
from documents.seal import DocumentSigner, SealedData, SealInvalid, find_seal, open_file, open_seal, public_spec

OLD = DocumentSigner.from_spec("k2025:" + base64.b64encode(b"o" * 32).decode())
# After a rotation the new key signs first; the old one is kept so its documents still verify.
NEW = DocumentSigner.from_spec("k2026:" + base64.b64encode(b"n" * 32).decode() + ",k2025:"
                               + base64.b64encode(b"o" * 32).decode())
DATA = SealedData("KC-BSK-2026-000007", "KC", "ASANOVA Aigul Bakytovna", "1988-03-02", "2026-11-23", "2029-11-22",
                  "KG-MLSSM")
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_seal_opens_with_the_public_key_and_gives_back_the_data():
    seal = NEW.seal(DATA)
    assert seal.startswith("ARYZ1.") and len(seal) < 400  # small enough for a QR code on a card
    assert open_seal(seal, NEW.public_keys()) == (DATA, "k2026")


def test_a_changed_field_in_the_seal_no_longer_verifies():
    prefix, data, kid, signature = NEW.seal(DATA).split(".")
    forged = DATA.canonical().replace(b"2029-11-22", b"2039-11-22")
    tampered = ".".join((prefix, base64.urlsafe_b64encode(forged).rstrip(b"=").decode(), kid, signature))
    with pytest.raises(SealInvalid) as e:
        open_seal(tampered, NEW.public_keys())
    assert e.value.code == "bad_signature"


def test_a_wrong_key_or_an_unknown_key_id_is_refused():
    seal = NEW.seal(DATA)
    impostor = DocumentSigner.from_spec("k2026:" + base64.b64encode(b"x" * 32).decode())
    with pytest.raises(SealInvalid) as e:
        open_seal(seal, impostor.public_keys())
    assert e.value.code == "bad_signature"
    with pytest.raises(SealInvalid) as e:
        open_seal(seal, OLD.public_keys())
    assert e.value.code == "unknown_key"


def test_old_documents_verify_after_a_rotation():
    old_seal = OLD.seal(DATA)
    assert open_seal(old_seal, NEW.public_keys())[1] == "k2025"
    assert NEW.seal(DATA).split(".")[2] == "k2026"


def test_a_changed_byte_anywhere_in_the_pdf_is_detected():
    seal = NEW.seal(DATA)
    signed = NEW.seal_file(PDF, seal)
    assert open_file(signed, NEW.public_keys())[0] == DATA
    for at in (0, len(PDF) // 2, len(PDF) - 2):
        altered = bytearray(signed)
        altered[at] ^= 0x01
        with pytest.raises(SealInvalid) as e:
            open_file(bytes(altered), NEW.public_keys())
        assert e.value.code == "altered"
    with pytest.raises(SealInvalid) as e:
        open_file(PDF, NEW.public_keys())
    assert e.value.code == "no_seal"
    # The trailer cannot be lifted onto another file either: it signs the bytes before it.
    with pytest.raises(SealInvalid):
        open_file(PDF.replace(b"obj", b"OBJ") + signed[len(PDF):], NEW.public_keys())


def test_the_qr_text_holds_the_address_and_the_seal():
    seal = NEW.seal(DATA)
    assert find_seal(f"https://aryz.gov.kg/verify/{DATA.number}\n{seal}") == seal
    assert find_seal("https://example.org") is None


def test_aryz_verify_says_verified_or_why_not(tmp_path):
    signed = NEW.seal_file(PDF, NEW.seal(DATA))
    good = tmp_path / "good.pdf"
    good.write_bytes(signed)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(signed.replace(b"obj", b"OBJ", 1))
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps({"spec": public_spec(NEW.public_keys())}))
    out = io.StringIO()
    assert verify_command(str(good), None, str(keys_file), out) == 0
    assert "VERIFIED" in out.getvalue() and "ASANOVA" in out.getvalue() and "unaltered" in out.getvalue()
    out = io.StringIO()
    assert verify_command(str(bad), None, public_spec(NEW.public_keys()), out) == 1
    assert "changed after it was signed" in out.getvalue()
    out = io.StringIO()
    assert verify_command(None, "ARYZ1.garbage", public_spec(NEW.public_keys()), out) == 1
    assert verify_command(None, None, None, io.StringIO()) == 2
