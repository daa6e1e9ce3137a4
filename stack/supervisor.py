"""Keeps `aryz run`'s parts alive: a part that dies is restarted with a growing back-off, under its
own name. One that keeps dying is left stopped and reported (a line on the terminal and in
var/log/run.log, its state in var/run/stack.json, which /readyz and /metrics read), while the
parts that still work keep serving: the API takes submissions and status look-ups with the worker
down. A part left stopped is tried again after a cool-down, in case what broke it has passed."""

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# A part that dies this many times within the window is not going to recover by itself soon.
MAX_RESTARTS = 5
WINDOW_SECONDS = 120.0
COOL_DOWN_SECONDS = 300.0

RUNNING, RESTARTING, STOPPED = "running", "restarting", "stopped"


@dataclass
class Part:
    """One supervised part. `start` launches it; `poll` is None while it runs, else what ended it
    (an exit code, or a word); `pid` says which process it is now, if any."""

    name: str
    start: Callable[[], None]
    poll: Callable[[], int | str | None]
    pid: Callable[[], int | None] = lambda: None
    stop: Callable[[float], None] = lambda timeout: None
    deaths: list[float] = field(default_factory=list)
    restarts: int = 0
    due: float | None = None  # when it is to be started again
    state: str = RUNNING

    def launch(self) -> None:
        self.start()
        self.due, self.state = None, RUNNING


def process_part(name: str, start: Callable[[], subprocess.Popen]) -> Part:
    """A part that is one child process."""
    holder: dict[str, subprocess.Popen] = {}

    def launch() -> None:
        holder["proc"] = start()

    def stop(timeout: float) -> None:
        proc = holder.get("proc")
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()

    return Part(name, launch, lambda: holder["proc"].poll(), lambda: holder["proc"].pid if holder else None, stop)


class Supervisor:
    def __init__(self, say: Callable[[str], None] = print, clock: Callable[[], float] = time.monotonic,
                 status_file: Path | None = None) -> None:
        self.parts: list[Part] = []
        self.say = say
        self.clock = clock
        self.status_file = status_file
        self.stopping = False

    def add(self, part: Part) -> Part:
        part.launch()
        self.parts.append(part)
        self.write_status()
        return part

    def check(self) -> None:
        """One round: restart what died once its back-off is over; leave stopped what keeps dying."""
        now, changed = self.clock(), False
        for part in self.parts:
            if part.due is not None:
                if now >= part.due:
                    self.say(f"aryz: restarting {part.name}")
                    part.restarts += 1
                    part.launch()
                    changed = True
                continue
            code = part.poll()
            if code is None:
                continue
            changed = True
            part.deaths = [t for t in part.deaths if now - t < WINDOW_SECONDS] + [now]
            if len(part.deaths) >= MAX_RESTARTS:
                part.state, part.due, part.deaths = STOPPED, now + COOL_DOWN_SECONDS, []
                self.say(f"aryz: {part.name} failed {MAX_RESTARTS} times in {WINDOW_SECONDS:.0f}s (last: {code}); "
                         f"left stopped, the rest keeps serving; tried again in {COOL_DOWN_SECONDS:.0f}s — see "
                         f"var/log/{part.name}.log")
                continue
            delay = min(0.5 * 2 ** (len(part.deaths) - 1), 15.0)
            part.state, part.due = RESTARTING, now + delay
            self.say(f"aryz: {part.name} exited ({code}); restarting in {delay:.1f}s (see var/log/{part.name}.log)")
        if changed:
            self.write_status()

    def status(self) -> dict:
        return {"supervisor_pid": os.getpid(), "updated_at": time.time(),
                "parts": {p.name: {"state": p.state, "restarts": p.restarts, "pid": p.pid() if p.state == RUNNING
                                   else None} for p in self.parts}}

    def write_status(self) -> None:
        """var/run/stack.json, replaced whole (a reader never sees half of it)."""
        if self.status_file is None:
            return
        self.status_file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.status_file.with_suffix(".tmp")
        partial.write_text(json.dumps(self.status()))
        partial.replace(self.status_file)

    def handle_signals(self) -> None:
        """Ctrl-C and SIGTERM ask for a stop from now on, the start included (before, one that came
        while the stack was starting killed `aryz run` where it stood)."""
        def stop(*_):
            self.stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

    def run(self, interval: float = 0.5) -> int:
        """Until Ctrl-C or SIGTERM: 0."""
        self.handle_signals()
        while not self.stopping:
            self.check()
            time.sleep(interval)
        return 0

    def stop_all(self, timeout: float = 15.0) -> None:
        for part in reversed(self.parts):
            part.stop(timeout)
        if self.status_file is not None:
            self.status_file.unlink(missing_ok=True)
