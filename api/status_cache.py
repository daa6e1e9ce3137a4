"""The status answers an API process has given, kept in memory until PostgreSQL says their case
changed (db/case_changes.py).

A family waiting for news looks again and again at a case that changes a few times a month; the
answer, in the language asked for, is kept as the bytes sent, with the access code's hash to check
each look against, so a look-up at an unchanged case costs no round trip to PostgreSQL at all.

What is kept is never older than PostgreSQL's latest commit by more than a notice's way here:
- an answer is kept only while the listener listens, and all are thrown away when it stops;
- an answer read before a notice arrived is not kept (the generation counts notices: an answer
  is kept only if none arrived between the moment its read began and the moment it is kept),
  otherwise a read that began before a commit and ended after its notice would keep the old state;
- nothing is kept longer than MAX_AGE_S, whatever the notices say (a guard, not the mechanism).
"""

import time
from collections import OrderedDict
from typing import NamedTuple

from prometheus_client import Counter, Gauge

from api.metrics import REGISTRY
from db.case_changes import EVERYTHING

MAX_AGE_S = 300.0
LOOKUPS = Counter("aryz_status_cache_lookups", "Applicants' status look-ups, answered from memory or read",
                  ["result"], registry=REGISTRY)
_FROM_MEMORY, _READ = LOOKUPS.labels("memory"), LOOKUPS.labels("read")
LISTENING = Gauge("aryz_status_cache_listening", "1 while the API hears of changed cases and keeps status answers",
                  registry=REGISTRY)


class KeptStatus(NamedTuple):
    access_code_hash: str
    body: bytes
    kept_at: float


class StatusCache:
    """Status answers by (case number, language), the least recently used dropped beyond
    `max_entries`. `changed`, `listening` and `lost` are a CaseChangeListener's callbacks."""

    def __init__(self, max_entries: int, langs: tuple[str, ...]) -> None:
        self.max_entries = max_entries
        self._langs = langs
        self._kept: OrderedDict[tuple[str, str], KeptStatus] = OrderedDict()
        self._generation = 0
        self.live = False
        self.last_heard = ""

    def __len__(self) -> int:
        return len(self._kept)

    def generation(self) -> int | None:
        """Take it before reading what is to be kept; None: nothing may be kept now."""
        return self._generation if self.live and self.max_entries > 0 else None

    def get(self, case_number: str, lang: str) -> KeptStatus | None:
        key = (case_number, lang)
        kept = self._kept.get(key)
        if kept is not None and time.monotonic() - kept.kept_at > MAX_AGE_S:
            del self._kept[key]
            kept = None
        if kept is None:
            _READ.inc()
            return None
        self._kept.move_to_end(key)
        _FROM_MEMORY.inc()
        return kept

    def keep(self, generation: int | None, case_number: str, lang: str, access_code_hash: str, body: bytes) -> bool:
        if generation is None or generation != self._generation or not self.live:
            return False
        self._kept[(case_number, lang)] = KeptStatus(access_code_hash, body, time.monotonic())
        self._kept.move_to_end((case_number, lang))
        while len(self._kept) > self.max_entries:
            self._kept.popitem(last=False)
        return True

    def changed(self, case_number: str) -> None:
        self._generation += 1
        self.last_heard = case_number  # notices arrive in commit order: a test waits on its own to know
        if case_number == EVERYTHING:
            self._kept.clear()
            return
        for lang in self._langs:
            self._kept.pop((case_number, lang), None)

    def listening(self) -> None:
        self._forget_all()
        self.live = True
        LISTENING.set(1)

    def lost(self) -> None:
        self.live = False
        LISTENING.set(0)
        self._forget_all()

    def _forget_all(self) -> None:
        self._generation += 1
        self._kept.clear()
