"""Re-running a case's recorded history against the current workflow code (temporalio Replayer)."""

import re
from dataclasses import dataclass

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

_DIVERGENCE = re.compile(r"HistoryEvent\(id: (\d+), (\w+)")


@dataclass
class ReplayReport:
    reproduced: bool
    events: int
    detail: str
    event_id: int | None = None  # the first history event the code no longer produces
    event_type: str = ""


def _worker_setup():
    from worker import WORKFLOW_RUNNER, WORKFLOWS  # the code that runs cases is the code replay must check

    return WORKFLOWS, WORKFLOW_RUNNER


async def replay_history(history: WorkflowHistory, workflows: list | None = None,
                         data_converter=None) -> ReplayReport:
    """`data_converter` must hold the payload keys: histories are encrypted."""
    default_workflows, runner = _worker_setup()
    replayer = Replayer(workflows=workflows or default_workflows, workflow_runner=runner,
                        **({"data_converter": data_converter} if data_converter else {}))
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    events = len(history.events)
    if result.replay_failure is None:
        return ReplayReport(True, events, "the recorded outcome follows from the current code")
    message = str(result.replay_failure)
    found = _DIVERGENCE.search(message)
    detail = message.split("failure: Some(Failure { message: ", 1)[-1].split('", source', 1)[0].strip('"')
    return ReplayReport(False, events, detail[:2000], int(found.group(1)) if found else None,
                        found.group(2) if found else "")


async def replay_runs(runs: list[WorkflowHistory], data_converter=None) -> ReplayReport:
    """Every run of a case, in order: reproduced only if each is; else where the first diverges."""
    total = 0
    for i, run in enumerate(runs, start=1):
        report = await replay_history(run, data_converter=data_converter)
        total += report.events
        if not report.reproduced:
            report.detail = f"run {i} of {len(runs)}: {report.detail}" if len(runs) > 1 else report.detail
            report.events = total
            return report
    return ReplayReport(True, total, "the recorded outcome follows from the current code"
                        + (f" (all {len(runs)} runs)" if len(runs) > 1 else ""))
