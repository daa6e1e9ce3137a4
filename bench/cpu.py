"""CPU seconds spent by each part of the stack (Linux /proc): where a benchmark's time goes."""

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid → (parent pid, command line, CPU seconds so far)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(entry.name)] = (int(fields[1]), cmdline, (int(fields[11]) + int(fields[12])) / _TICKS)
    return found


def _part(pid: int, processes: dict) -> str:
    parent, cmdline, _ = processes[pid]
    if pid == os.getpid():
        return "API and driver"
    if "temporal" in cmdline and "server" in cmdline:
        return "Temporal server"
    if cmdline.startswith("postgres") or "/postgres" in cmdline.split(" ")[0]:
        return "PostgreSQL"
    if "bench.bare" in cmdline:
        return "bare worker"
    if " cli worker" in cmdline:
        return "aryz worker"
    if parent in processes and " cli worker" in processes[parent][1]:
        return "PDF rendering"
    if parent == os.getpid() and "multiprocessing" in cmdline:
        return "PDF rendering"
    return ""


def snapshot() -> dict[str, float]:
    processes = _processes()
    parts: dict[str, float] = {}
    for pid, (_, _, seconds) in processes.items():
        part = _part(pid, processes)
        if part:
            parts[part] = parts.get(part, 0.0) + seconds
    return parts


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {part: after[part] - before.get(part, 0.0) for part in after if after[part] - before.get(part, 0.0) > 0.01}
