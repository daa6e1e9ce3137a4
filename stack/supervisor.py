"""Keeps `aryz run`'s processes alive: a process that dies is restarted with a growing back-off,
under its own name; one that keeps dying stops the whole stack with a clear message and a
non-zero exit, instead of leaving a half-working service or a silent exit 0."""

import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# A process that dies this many times within the window is not going to recover by itself.
MAX_RESTARTS = 5
WINDOW_SECONDS = 120.0


@dataclass
class Child:
    name: str
    start: Callable[[], subprocess.Popen]
    proc: subprocess.Popen | None = None
    deaths: list[float] = field(default_factory=list)
    due: float | None = None  # when it is to be started again

    def launch(self) -> None:
        self.proc = self.start()
        self.due = None


class Supervisor:
    def __init__(self, say: Callable[[str], None] = print, clock: Callable[[], float] = time.monotonic) -> None:
        self.children: list[Child] = []
        self.say = say
        self.clock = clock
        self.stopping = False

    def add(self, name: str, start: Callable[[], subprocess.Popen]) -> Child:
        child = Child(name, start)
        child.launch()
        self.children.append(child)
        return child

    def check(self) -> int | None:
        """One round: restart what died (when its back-off is over). Returns an exit code when the
        stack must stop because a process keeps failing, else None."""
        now = self.clock()
        for child in self.children:
            if child.due is not None:
                if now >= child.due:
                    self.say(f"aryz: restarting {child.name}")
                    child.launch()
                continue
            code = child.proc.poll()
            if code is None:
                continue
            child.deaths = [t for t in child.deaths if now - t < WINDOW_SECONDS] + [now]
            if len(child.deaths) >= MAX_RESTARTS:
                self.say(f"aryz: {child.name} failed {len(child.deaths)} times in {WINDOW_SECONDS:.0f}s "
                         f"(last exit code {code}); stopping everything — see var/log/{child.name}.log")
                return 1
            delay = min(0.5 * 2 ** (len(child.deaths) - 1), 15.0)
            self.say(f"aryz: {child.name} exited with code {code}; restarting in {delay:.1f}s "
                     f"(see var/log/{child.name}.log)")
            child.due = now + delay
        return None

    def run(self, interval: float = 0.5) -> int:
        """Until Ctrl-C or SIGTERM (0), or a process that keeps failing (1)."""
        def stop(*_):
            self.stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not self.stopping:
            code = self.check()
            if code is not None:
                return code
            time.sleep(interval)
        return 0

    def stop_all(self, timeout: float = 15.0) -> None:
        running = [c.proc for c in reversed(self.children) if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        for proc in running:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
