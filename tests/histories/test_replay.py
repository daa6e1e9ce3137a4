"""Every recorded history replays against the current workflow code. A change that breaks one
needs a workflow.patched() branch for the cases in flight (regenerate with ARYZ_RECORD_HISTORIES=1
only for paths that are new). `*.local*.json` were recorded once transitions became local
activities (`read-model-local-activity`); the others replay the activity-task path of cases begun
before. `*.together*.json` were recorded once a family's documents were issued side by side with the
holder's (`family-documents-together`); the others replay them one after another. `*.reserved*.json`
were recorded once a claim's payment was reserved before its decision to reimburse was issued
(`repatriation-reserve-before-decision`); the other repatriation histories issue the decision first.
`*.told*.json` were recorded once the family was told of an approval only after that reservation
(`repatriation-approval-told-once-reserved`)."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from tests.conftest import CONVERTER
from worker import WORKFLOWS

HERE = Path(__file__).resolve().parent
HISTORIES = sorted(HERE.glob("*/*.json"))


def test_every_procedure_has_recorded_histories():
    assert {p.parent.name for p in HISTORIES} >= {"refugee", "kairylman", "repatriation", "work-permit", "agency-permit"}
    assert len(HISTORIES) >= 10
    # Both ways of issuing a family's documents, in each procedure that has families.
    for procedure in ("refugee", "kairylman"):
        assert any(".together" in p.name for p in HISTORIES if p.parent.name == procedure)
        assert any(".together" not in p.name and "family" in p.name for p in HISTORIES if p.parent.name == procedure)
    repatriation = [p.name for p in HISTORIES if p.parent.name == "repatriation"]
    assert any(".reserved" in n for n in repatriation) and any(".reserved" not in n for n in repatriation)
    assert any(".told" in n for n in repatriation) and any(".reserved" in n and ".told" not in n for n in repatriation)


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_history_replays_against_the_current_code(path: Path):
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=WORKFLOWS, data_converter=CONVERTER)  # recorded with the test keys
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
