"""The bare engine for bench/throughput.py: a workflow of a procedure's shape doing nothing else
(its own module, so that the workflow sandbox imports nothing but temporalio)."""

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn(name="bare_nop")
async def bare_nop(n: int) -> int:
    return n


@workflow.defn(name="BareShape")
class BareShape:
    """The activities and updates of a procedure's main path ('a' and 'u' in `shape`), in order.

    Update `decide`: answers once the activities that follow it have run (as aryz's decisions
    answer once the case has settled)."""

    def __init__(self) -> None:
        self.received = 0
        self.done = 0

    @workflow.run
    async def run(self, shape: str) -> None:
        for i, segment in enumerate(shape.split("u")):
            if i:
                await workflow.wait_condition(lambda i=i: self.received >= i)
            for n, _ in enumerate(segment):
                await workflow.execute_activity(bare_nop, n, start_to_close_timeout=timedelta(seconds=30))
            self.done = i

    @workflow.update
    async def decide(self, step: str) -> int:
        self.received += 1
        mine = self.received
        await workflow.wait_condition(lambda: self.done >= mine)
        return mine


async def serve(address: str, task_queue: str) -> None:
    """A worker process of its own for the bare workflow, as aryz's worker runs in its own."""
    import asyncio
    import signal

    from temporalio.client import Client
    from temporalio.worker import Worker

    client = await Client.connect(address)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with Worker(client, task_queue=task_queue, workflows=[BareShape], activities=[bare_nop]):
        await stop.wait()


if __name__ == "__main__":
    import asyncio
    import sys

    from stack.temporal import exit_without_teardown

    asyncio.run(serve(sys.argv[1], sys.argv[2]))
    exit_without_teardown(0)
