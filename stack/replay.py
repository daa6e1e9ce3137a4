"""`aryz replay`: re-run histories against the current workflow code before a deploy."""

from pathlib import Path

from temporalio.client import WorkflowHistory

from api.services.replay import ReplayReport, replay_history
from settings import get_settings


def _line(name: str, r: ReplayReport) -> str:
    if r.reproduced:
        return f"ok        {name} ({r.events} events)"
    where = f"event {r.event_id} ({r.event_type})" if r.event_id else "unknown event"
    return f"DIVERGES  {name} at {where}: {r.detail[:300]}"


async def replay_command(case: str | None, all_open: bool, directory: str | None, settings=None) -> int:
    settings = settings or get_settings()
    histories: list[tuple[str, WorkflowHistory]] = []
    if directory:
        for path in sorted(Path(directory).glob("**/*.json")):
            histories.append((str(path), WorkflowHistory.from_json(path.stem, path.read_text())))
    else:
        from stack.histories import case_runs
        from stack.temporal import connect

        if not settings.temporal_address:
            print("aryz replay: set ARYZ_TEMPORAL_ADDRESS (127.0.0.1:7233 for `aryz run`), or give --dir")
            return 2
        client = await connect(settings)
        ids = [case] if case else [w.id async for w in client.list_workflows('ExecutionStatus="Running"')]
        for workflow_id in ids:  # every run of the case: a refugee's status continues as new
            runs = await case_runs(client, workflow_id)
            histories += [(workflow_id if len(runs) == 1 else f"{workflow_id} run {i}", run)
                          for i, run in enumerate(runs, start=1)]
    from stack.proofs import trust_public_keys
    from stack.temporal import converter

    trust_public_keys(settings.message_public_keys)  # applicants' signals are verified again on replay
    keys = converter(settings) if settings.payload_keys else None
    broken = 0
    for name, history in histories:
        report = await replay_history(history, data_converter=keys)
        broken += not report.reproduced
        print(_line(name, report))
    print(f"{len(histories)} replayed, {broken} diverge" + (" — the new code would break them" if broken else ""))
    return 1 if broken else 0
