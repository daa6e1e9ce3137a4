"""A real worker process that stalls for good inside a workflow task, right after the local
activity that records the transition named by ARYZ_TEST_STALL_AFTER has committed: what a worker
does when it hangs or dies between writing the read model and completing its workflow task.
Prints `stalled <seq>` once there. With ARYZ_TEST_STALL_RENDER set instead, it stalls inside the
first document's render and prints `stalled render`. Run as `python -m tests.faults.stalling_worker`
with the settings `aryz worker` reads."""

import asyncio
import os

from temporalio import activity

from activities.read_model import ReadModelActivities
from documents.pool import RenderPool
from schemas.messages import TransitionRecord

STALL_AFTER = os.environ.get("ARYZ_TEST_STALL_AFTER", "")
STALL_RENDER = bool(os.environ.get("ARYZ_TEST_STALL_RENDER"))


class StallingReadModel(ReadModelActivities):
    @activity.defn(name="record_transition")
    async def record_transition(self, record: TransitionRecord) -> None:
        await super().record_transition(record)
        if record.event == STALL_AFTER:
            print(f"stalled {record.seq}", flush=True)
            await asyncio.Event().wait()


class StallingRenderer(RenderPool):
    async def render(self, content, issued_at) -> bytes:
        print("stalled render", flush=True)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def main() -> None:
    from db.session import make_engine, make_sessionmaker
    from settings import audit_keys, data_sealer, document_signer, get_settings
    from stack.proofs import trust_public_keys
    from stack.temporal import connect
    from worker import build_worker

    settings = get_settings()
    trust_public_keys(settings.message_public_keys)
    sessions = make_sessionmaker(make_engine(settings.database_url), audit_keys(settings), data_sealer(settings))
    client = await connect(settings)
    async with build_worker(client, sessions, settings.task_queue, document_signer(settings), settings.public_url,
                            renderer=StallingRenderer() if STALL_RENDER else None,
                            read_model=StallingReadModel(sessions)):
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
