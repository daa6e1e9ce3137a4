"""What the applicant is told is a key and parameters, rendered in the reader's language."""

import ast
import re
import string
from pathlib import Path

import pytest

from api import i18n
from api.i18n.notes import note_text
from schemas.notes import NOTES, check_note

ROOT = Path(__file__).resolve().parents[2]


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_note_reads_in_every_language_with_its_parameters(lang):
    for key, params in NOTES.items():
        assert ("note", key) in i18n.MESSAGES[lang], f"{lang}: no note {key}"
        used = _placeholders(i18n.MESSAGES[lang][("note", key)])
        assert used <= set(params), f"{lang}: {key} uses {used - set(params)}, which the workflow never gives"
        assert used == _placeholders(i18n.MESSAGES["en"][("note", key)]), f"{lang}: {key} drops a parameter"


def _note_literals(tree: ast.AST):
    """Each string the workflows pass as a note: public_note=, reminder_note= and a Transition's note."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            if kw.arg in ("public_note", "reminder_note", "note") and isinstance(kw.value, ast.Constant):
                yield kw.value.value
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name in ("T", "Transition") and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            yield node.args[1].value


def test_workflows_record_only_known_notes():
    found = set()
    for path in [*(ROOT / "workflows").glob("*.py"), *(ROOT / "workflows" / "steps").glob("*.py")]:
        found |= {n for n in _note_literals(ast.parse(path.read_text())) if n}
    assert found, "the scan found no notes at all"
    unknown = sorted(n for n in found if n not in NOTES)
    assert not unknown, f"notes without a catalogue key: {unknown}"
    assert not [n for n in found if re.search(r"[A-Z ]", n)], "a note is a key, not a sentence"


def test_a_note_is_rendered_at_read_time_in_each_language():
    params = {"document": "AC", "number": "AC-C-2026-000001", "until": "2026-12-31"}
    assert note_text("document_issued_until", params, "en") == \
        "Asylum-seeker certificate AC-C-2026-000001 issued, valid until December 31, 2026"
    ru = note_text("document_issued_until", params, "ru")
    assert "31 декабря 2026" in ru and "AC-C-2026-000001" in ru and "Asylum" not in ru
    assert "декабрь" in note_text("appeal_possible_until", {"until": "2026-12-31"}, "ky")
    assert note_text("application_refused", {"reason": "No proof of the death abroad"}, "ru") == \
        "В удовлетворении заявления отказано: No proof of the death abroad"
    assert "150 000" in note_text("reimbursement_approved", {"amount": "150000", "currency": "KGS"}, "ky").replace("\xa0", " ")
    assert note_text("recognised_leaving_out_family", {"count": "1"}, "ru") == \
        "Признан беженцем; решение не распространяется на членов семьи, указанных в заявлении: 1"
    assert note_text("", {}, "ky") == ""


def test_a_wrong_note_is_refused_before_it_is_recorded():
    check_note("deadline_extended", {"until": "2026-12-01"})
    check_note("application_rejected", {"reason": "…"})
    for key, params in [("Application lodged", {}), ("deadline_extended", {}), ("application_lodged", {"until": "x"}),
                        ("", {"until": "x"})]:
        with pytest.raises(ValueError):
            check_note(key, params)


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_the_act_behind_each_repatriation_amount_reads_in_the_auditors_language(lang):
    """rules/repatriation.toml names each amount's legal act by a key; the auditor reads the act."""
    from api.i18n.notes import fact_value
    from rules import repatriation_amounts

    for row in repatriation_amounts():
        assert i18n.has("legal_act", row.legal_act), row
        shown = fact_value("legal_act", {"legal_act": row.legal_act}, lang)
        assert shown != row.legal_act and ("№" if lang != "en" else "No.") in shown
    # A case lodged before keeps the words it recorded.
    assert fact_value("legal_act", {"legal_act": "Res. No. 1 (old words)"}, lang) == "Res. No. 1 (old words)"
