"""`aryz run`'s supervisor: a dead process is restarted after a growing back-off, under its own
name; one that keeps dying stops the stack with a message and a non-zero exit."""

import subprocess
import sys

from stack.supervisor import MAX_RESTARTS, Supervisor


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def exits_at_once() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])


def test_a_process_that_keeps_dying_stops_the_stack_with_a_clear_message():
    said, clock = [], Clock()
    supervisor = Supervisor(say=said.append, clock=clock)
    child = supervisor.add("worker-1", exits_at_once)
    code = None
    for _ in range(100):
        child.proc.wait()
        code = supervisor.check()
        if code is not None:
            break
        clock.now += 20  # past any back-off
        supervisor.check()  # restarts it
    assert code == 1
    assert said[0] == "aryz: worker-1 exited with code 3; restarting in 0.5s (see var/log/worker-1.log)"
    assert "restarting in 1.0s" in said[2] and "restarting in 2.0s" in said[4]  # the back-off grows
    assert f"worker-1 failed {MAX_RESTARTS} times" in said[-1] and "stopping everything" in said[-1]


def test_a_process_that_dies_once_is_restarted_after_its_back_off():
    said, clock = [], Clock()
    supervisor = Supervisor(say=said.append, clock=clock)
    child = supervisor.add("api", exits_at_once)
    first = child.proc
    first.wait()
    assert supervisor.check() is None and child.due == 0.5
    assert supervisor.check() is None and child.proc is first  # not before its back-off
    clock.now = 1.0
    supervisor.check()
    assert child.proc is not first and said[-1] == "aryz: restarting api"
    child.proc.wait()
