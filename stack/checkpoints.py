"""Where audit checkpoints are kept: an append-only JSON-lines file outside PostgreSQL.

In production the directory belongs on storage the database's administrators cannot write
(another machine's volume, a WORM bucket mount); every API replica appends to the same file.
"""

import fcntl
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path

from db.repositories.audit import AuditKeys
from db.repositories.audit_checkpoints import Checkpoint, CheckpointRefused, next_checkpoint

log = logging.getLogger(__name__)


class FileCheckpointStore:
    def __init__(self, directory: Path) -> None:
        self.path = directory / "audit_checkpoints.jsonl"

    def all(self) -> list[Checkpoint]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text().splitlines():
            if line.strip():
                try:
                    out.append(Checkpoint(**json.loads(line)))
                except (TypeError, ValueError):
                    out.append(Checkpoint(-1, "", -1, "", "", "unreadable"))  # verify reports it
        return out

    def last(self) -> Checkpoint | None:
        found = self.all()
        return found[-1] if found else None

    @property
    def lost_path(self) -> Path:
        return self.path.with_name("audit_checkpoints_lost_with_restores.jsonl")

    def lost(self) -> list[dict]:
        """Checkpoints set aside at a restore (they name entries the restored database never had)."""
        if not self.lost_path.exists():
            return []
        return [json.loads(line) for line in self.lost_path.read_text().splitlines() if line.strip()]

    def set_aside(self, later: list[Checkpoint], restored_at: str) -> None:
        """Moves checkpoints later than a restored database's end to the file of those lost with
        restores (kept for the auditors), leaving the others in place."""
        gone = {json.dumps(asdict(c), sort_keys=True) for c in later}
        fd = os.open(self.lost_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            for line in sorted(gone):
                os.write(fd, (json.dumps({**json.loads(line), "restored_at": restored_at}, sort_keys=True) + "\n")
                         .encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        kept = [line for line in self.path.read_text().splitlines()
                if line.strip() and json.dumps(json.loads(line), sort_keys=True) not in gone]
        partial = self.path.with_suffix(".tmp")
        partial.write_text("".join(f"{line}\n" for line in kept))
        partial.chmod(0o600)
        partial.replace(self.path)

    def append(self, checkpoint: Checkpoint) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, (json.dumps(asdict(checkpoint), sort_keys=True) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)


async def take_checkpoint(sessions, keys: AuditKeys, store: FileCheckpointStore) -> Checkpoint | None:
    """Checkpoint the log's head if it grew; refuses (logged) if the log broke since the last one."""
    last = store.last()
    async with sessions() as session:
        try:
            checkpoint = await next_checkpoint(session, keys, last if last and last.genuine(keys) else None)
        except CheckpointRefused as err:
            log.error("audit checkpoint refused: %s", err)
            return None
    if checkpoint is not None:
        store.append(checkpoint)
    return checkpoint
