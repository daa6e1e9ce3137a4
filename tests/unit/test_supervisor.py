"""`aryz run`'s supervisor: a dead part is restarted after a growing back-off, under its own name;
one that keeps dying is left stopped and reported while the others keep running, and tried again
after a cool-down; var/run/stack.json says how each part is."""

import json
import subprocess
import sys

from stack.supervisor import COOL_DOWN_SECONDS, MAX_RESTARTS, Supervisor, process_part


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def exits_at_once() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])


def sleeps() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_part_that_keeps_dying_is_left_stopped_and_reported_while_the_others_run(tmp_path):
    said, clock = [], Clock()
    status = tmp_path / "run" / "stack.json"
    supervisor = Supervisor(say=said.append, clock=clock, status_file=status)
    worker = supervisor.add(process_part("worker-1", exits_at_once))
    api = supervisor.add(process_part("api", sleeps))
    try:
        for _ in range(MAX_RESTARTS):
            while worker.poll() is None:
                pass
            supervisor.check()
            clock.now += 20  # past any back-off
            supervisor.check()  # restarts it, unless it was left stopped
        assert said[0] == "aryz: worker-1 exited (3); restarting in 0.5s (see var/log/worker-1.log)"
        assert "restarting in 1.0s" in said[2] and "restarting in 2.0s" in said[4]  # the back-off grows
        assert f"worker-1 failed {MAX_RESTARTS} times" in said[-1] and "left stopped" in said[-1]
        assert worker.state == "stopped" and api.state == "running" and api.poll() is None
        written = json.loads(status.read_text())
        assert written["parts"]["worker-1"] == {"state": "stopped", "restarts": MAX_RESTARTS - 1, "pid": None}
        assert written["parts"]["api"]["state"] == "running" and written["parts"]["api"]["pid"] == api.pid()
        # After the cool-down it is tried again.
        clock.now += COOL_DOWN_SECONDS
        supervisor.check()
        assert said[-1] == "aryz: restarting worker-1" and worker.state == "running"
    finally:
        supervisor.stop_all(timeout=5)
    assert not status.exists() and api.poll() is not None


def test_a_part_that_dies_once_is_restarted_after_its_back_off():
    said, clock = [], Clock()
    supervisor = Supervisor(say=said.append, clock=clock)
    part = supervisor.add(process_part("api", exits_at_once))
    first = part.pid()
    while part.poll() is None:
        pass
    supervisor.check()
    assert part.due == 0.5 and part.state == "restarting"
    supervisor.check()
    assert part.pid() == first  # not before its back-off
    clock.now = 1.0
    supervisor.check()
    assert part.pid() != first and said[-1] == "aryz: restarting api" and part.restarts == 1
    while part.poll() is None:
        pass
