"""Every engine timer the workflows set is named, in each language, on the auditor's desk."""

import re
from pathlib import Path

import pytest

from api.i18n import LANGS, timer_label
from schemas.procedures import PROCEDURES

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def clock_names() -> set[str]:
    """The clocks the workflows start: literal names, each step's own deadline (decide_within),
    and one of each kind made up at run time."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in WORKFLOWS.rglob("*.py"))
    literal = set(re.findall(r'(?:\.clock|_runs_until_end)\(\s*"([a-z0-9_]+)"', source))
    steps = {name for p in PROCEDURES.values() for name in p.steps}
    made = {"interview_documents_reply", "document_check_documents_reply", "permit_1", "permit_3"}
    assert {"registration", "appeal_window", "first_permit", "certificate"} <= literal  # the pattern still finds them
    return literal | steps | made


@pytest.mark.parametrize("lang", LANGS)
def test_every_clock_and_kind_reads_as_words(lang):
    for name in sorted(clock_names()):
        for kind in ("reminder", "due", "lapse"):
            shown = timer_label(f"{name}: {kind}", lang)
            assert "_" not in shown, (name, kind, shown)
            assert lang == "en" or not re.search("[A-Za-z]", shown), (name, kind, shown)
            assert " — " in shown, shown


def test_a_summary_of_unknown_shape_is_shown_as_it_is():
    assert timer_label("interview", "ru") == "Приглашение и собеседование"
