"""The rules by which status answers are kept (api/status_cache.py), each on its own."""

from api import status_cache
from api.status_cache import StatusCache
from db.case_changes import EVERYTHING

LANGS = ("ky", "ru", "en")


def listening(max_entries: int = 10) -> StatusCache:
    cache = StatusCache(max_entries, LANGS)
    cache.listening()
    return cache


def test_an_answer_read_before_a_notice_arrived_is_not_kept():
    cache = listening()
    generation = cache.generation()  # the read begins…
    cache.changed("REF-2026-000002")  # …a notice of any case arrives meanwhile (it may be this one's)…
    assert not cache.keep(generation, "REF-2026-000001", "ky", "hash", b"old")  # …so it is not kept
    assert cache.get("REF-2026-000001", "ky") is None
    assert cache.keep(cache.generation(), "REF-2026-000001", "ky", "hash", b"new")
    assert cache.get("REF-2026-000001", "ky").body == b"new"


def test_a_notice_forgets_the_case_in_every_language_and_only_that_case():
    cache = listening()
    for n in ("REF-2026-000001", "REF-2026-000002"):
        for lang in LANGS:
            cache.keep(cache.generation(), n, lang, "hash", f"{n} {lang}".encode())
    cache.changed("REF-2026-000001")
    assert [cache.get("REF-2026-000001", lang) for lang in LANGS] == [None, None, None]
    assert cache.get("REF-2026-000002", "ru").body == b"REF-2026-000002 ru"
    cache.changed(EVERYTHING)  # a TRUNCATE
    assert len(cache) == 0


def test_nothing_is_kept_unless_listening_or_when_turned_off():
    cache = StatusCache(10, LANGS)
    assert cache.generation() is None
    assert not cache.keep(cache.generation(), "REF-2026-000001", "en", "hash", b"x")
    cache.listening()
    generation = cache.generation()
    cache.lost()  # the connection dropped while the read ran: notices may have been missed
    cache.listening()
    assert not cache.keep(generation, "REF-2026-000001", "en", "hash", b"x")
    off = listening(max_entries=0)
    assert off.generation() is None


def test_the_least_recently_used_go_first_and_none_outlives_its_maximum_age(monkeypatch):
    cache = listening(max_entries=2)
    for i in (1, 2):
        cache.keep(cache.generation(), f"REF-2026-00000{i}", "en", "hash", b"x")
    cache.get("REF-2026-000001", "en")  # used again: now the most recent
    cache.keep(cache.generation(), "REF-2026-000003", "en", "hash", b"x")
    assert cache.get("REF-2026-000002", "en") is None
    assert cache.get("REF-2026-000001", "en") is not None
    now = status_cache.time.monotonic()
    monkeypatch.setattr(status_cache.time, "monotonic", lambda: now + status_cache.MAX_AGE_S + 1)
    assert cache.get("REF-2026-000001", "en") is None and len(cache) == 1
