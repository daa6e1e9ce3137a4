"""A case's whole history: every run of its workflow, from the application on. A long-lived
status continues as new at each renewal; auditors and replay follow the chain of runs back."""

from temporalio.client import Client, WorkflowHistory

MAX_RUNS = 500  # a refugee renewing yearly for centuries; a broken chain must not loop forever


async def case_runs(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run's history, the first (the application) first."""
    histories: list[WorkflowHistory] = []
    run_id = None
    for _ in range(MAX_RUNS):
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        histories.append(history)
        run_id = history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id
        if not run_id:
            break
    return histories[::-1]
