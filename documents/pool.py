"""Where PDFs are rendered: in processes of their own, so that a render (about 70 ms of CPU in
WeasyPrint) never holds the worker's interpreter while its workflows wait to be activated. With
no processes asked for, in one thread of the worker's process (tests, a one-process stack), one
render at a time: WeasyPrint shares Pango's font map and its font configuration across a process,
and two renders at once in two threads corrupted GLib's lists (seen in the test suite)."""

import asyncio
import gc
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from documents.render import DocumentContent, render_pdf

# Render processes give way to the worker's interpreter when the cores are busy: the decisions that
# wait for no document answer first, and renders take the time the engine leaves (an idle machine
# renders as fast as ever). Measured with bench.throughput 20 10 on two cores, two render processes:
# a refugee decision's p50 420 -> 193-274 ms, cases/s 2.06 -> 2.11-2.45.
RENDER_NICENESS = 10


def _start(parent: int) -> None:
    """Each render process imports WeasyPrint once, before its first document, and ends when its
    worker does: a worker killed outright (SIGKILL, out of memory) must not leave renderers behind,
    and the pool's pipes, which the child holds both ends of, never tell it."""
    from stack.logs import setup_logging  # its lines go to the worker's log: JSON like the worker's

    setup_logging(os.environ.get("ARYZ_LOG_LEVEL", "INFO"))
    import weasyprint  # noqa: F401

    os.nice(RENDER_NICENESS)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="watch-worker", daemon=True).start()


_render_thread = ThreadPoolExecutor(1, thread_name_prefix="render")  # for every pool of this process


class RenderPool:
    def __init__(self, processes: int = 0) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    async def render(self, content: DocumentContent, issued_at: datetime) -> bytes:
        if self.processes <= 0:
            return await asyncio.get_running_loop().run_in_executor(_render_thread, render_pdf, content, issued_at)
        if self._pool is None:
            # "spawn": a fork of a process running Temporal's threads and an event loop is not safe.
            self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start, initargs=(os.getpid(),))
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, render_pdf, content, issued_at)
        except BrokenProcessPool:
            # A render process died (killed, out of memory): a new pool for the activity's retry.
            self.close()
            raise

    def close(self, wait: bool = False) -> None:
        """`wait` when the worker stops: its render processes are joined and the pool's semaphores
        released before the process ends without the interpreter's teardown (which would leave them
        to multiprocessing's resource tracker, with a warning that they leaked)."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None
            if wait:
                gc.collect()  # the pool's queues sit in reference cycles; their finalizers free the semaphores
