"""Every word a reader sees comes from the catalogues, in all three languages."""

import re
from pathlib import Path

import pytest

from api import i18n
from api.i18n.catalogues import read_source
from api.security import ROLES
from schemas.people import REGIONS
from schemas.procedures import PROCEDURES

ROOT = Path(__file__).resolve().parents[2]
# Written the same in every language: file formats and encodings (base64), the international account
# number, an example code.
TECHNICAL_TERMS = {"json", "jpeg", "iban", "kicbkg", "base"}  # base64


def english_entries() -> dict[tuple[str, str], str]:
    return {(m.context or "", m.id): m.string for m in read_source("en") if m.id}


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_message_is_translated(lang):
    source = {(m.context or "", m.id): m for m in read_source(lang) if m.id}
    english = english_entries()
    missing = [key for key in english if key not in source or not source[key].string or source[key].fuzzy]
    assert not missing, f"{lang}: untranslated {missing}"
    extra = [key for key in source if key not in english]
    assert not extra, f"{lang}: keys with no English entry {extra}"


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_no_english_left_in_a_translation(lang):
    english = english_entries()
    words = {w.lower() for text in english.values() for w in re.findall(r"[A-Za-z]{4,}", text)}
    suspicious = []
    for m in read_source(lang):
        key = (m.context or "", m.id)
        if not m.id:
            continue
        shown = re.sub(r"\{[a-z_]+\}", "", m.string)  # placeholders are not words
        found = ({w.lower() for w in re.findall(r"[A-Za-z]{4,}", shown)} & words) - TECHNICAL_TERMS
        if found:
            suspicious.append((key, sorted(found)))
    assert not suspicious, f"{lang}: English words in translations {suspicious}"


def _enums(schema, names: tuple[str, ...]) -> set[str]:
    """The values an applicant chooses among for these fields, anywhere in a JSON schema."""
    found: set[str] = set()

    def walk(node, key=""):
        if isinstance(node, dict):
            if key in names:
                found.update(node.get("enum", []))
            for k, v in node.items():
                walk(v, k if k not in ("properties", "$defs", "items", "anyOf") else key)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
    walk(schema)
    return found


def test_every_word_the_code_names_is_in_the_catalogue():
    wanted: set[tuple[str, str]] = set()
    wanted |= {("role", r) for r in ROLES}
    for procedure in PROCEDURES.values():
        wanted.add(("ui", procedure.slug))
        module = __import__(procedure.application.__module__, fromlist=["State"])
        wanted |= {("state", str(s)) for s in module.State}
        for step in procedure.steps.values():
            wanted.add(("step", step.name))
            for outcome in step.outcomes:
                wanted.add(("outcome", outcome.name))
                if outcome.data is not None:
                    wanted |= {("field", f) for f in outcome.data.model_fields}
                    for prop in outcome.data.model_json_schema()["properties"].values():
                        wanted |= {("choice", value) for value in prop.get("enum", [])}
        wanted |= {("choice", value) for value in _enums(procedure.application.model_json_schema(),
                                                         ("relationship", "document_type", "death_document"))}
        wanted |= {("dossier", f) for f in procedure.application.model_fields} - {
            ("dossier", f) for f in ("applicant", "family_members", "date_of_entry", "grounds", "contact")}
    wanted |= {("region", r) for r in REGIONS}
    for path in [*(ROOT / "workflows").glob("*.py"), *(ROOT / "workflows" / "steps").glob("*.py")]:
        code = path.read_text()
        wanted |= {("doc", d) for d in re.findall(r'papers\.(?:issue|decision)\("([A-Z]+)"', code)}
        wanted |= {("event", e) for e in re.findall(r'record\(\s*"([a-z_]+)"', code)}
        wanted |= {("clock", c) for c in re.findall(r'steps\.clock\(\s*"([a-z_]+)"', code)}
    for path in (ROOT / "workflows" / "steps").glob("*.py"):
        wanted |= {("rejection", c) for c in re.findall(r'rejection\([A-Z_]+, [^\n]*?"([a-z_]+)"', path.read_text())}
    for path in (ROOT / "api" / "templates").rglob("*.html"):
        wanted |= {("ui", k) for k in re.findall(r"\bt\('([a-z0-9_]+)',", path.read_text())}
        wanted |= {(c, k) for c, k in re.findall(r"\btext\('([a-z_]+)', '([a-z0-9_]+)'", path.read_text())}
    for path in (ROOT / "api").rglob("*.py"):
        wanted |= {("ui", k) for k in re.findall(r"\bi18n\.t\(\"([a-z0-9_]+)\"", path.read_text())}
    # What the auditors' timeline says of each entry the code appends to the audit log.
    for path in [*(ROOT / "api").rglob("*.py"), *(ROOT / "db").rglob("*.py"), *(ROOT / "activities").glob("*.py")]:
        for action in re.findall(r'append_audit\([^)]*?action="([a-z_]+)"', path.read_text(), re.S):
            wanted.add(("event", action) if i18n.has("event", action) else ("audit_action", action))
    missing = sorted(key for key in wanted if not i18n.has(*key))
    assert not missing, f"not in the catalogue: {missing}"


def test_dates_are_written_in_the_readers_language():
    from datetime import date

    assert i18n.local_date(date(2026, 11, 23), "ru").replace("\u202f", " ") == "23 ноября 2026 г."
    assert "ноябрь" in i18n.local_date(date(2026, 11, 23), "ky")
    assert i18n.local_date(date(2026, 11, 23), "en") == "November 23, 2026"


def test_a_refusal_names_a_date_as_the_reader_writes_it():
    from api.rejections import localized

    assert localized("extension_past_limit", {"date": "2029-11-22"}, "ru") == \
        "Удостоверение можно продлить не дальше чем до 22 ноября 2029\u202fг."
