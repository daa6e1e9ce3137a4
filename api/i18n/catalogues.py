"""The Babel message catalogues under api/locale: compiled from the .po files, loaded once.

Every message has a context (`ui`, `state`, `role`, `step`, `outcome`, `field`, `doc`, `dossier`,
`awaiting`, `yes_no`, `rejection`) and a stable key as its msgid; the English catalogue holds the
English text like the others, so a key is never shown to a reader as if it were a word."""

import io
import logging
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"
log = logging.getLogger(__name__)


def _paths(lang: str) -> tuple[Path, Path]:
    base = LOCALE_DIR / lang / "LC_MESSAGES" / DOMAIN
    return base.with_suffix(".po"), base.with_suffix(".mo")


def compile_catalogue(lang: str) -> bytes:
    """The .mo for a language, written beside its .po when that is stale (install and test time)."""
    po_path, mo_path = _paths(lang)
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return mo_path.read_bytes()
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    try:
        mo_path.write_bytes(buffer.getvalue())
    except OSError:  # a read-only install: use the compiled bytes without keeping them
        log.warning("cannot write %s; compiled in memory", mo_path)
    return buffer.getvalue()


def load(lang: str) -> dict[tuple[str, str], str]:
    """(context, key) → text, from the compiled catalogue; untranslated entries are left out."""
    catalog = read_mo(io.BytesIO(compile_catalogue(lang)))
    def context(m) -> str:  # read_mo leaves the context as bytes
        return m.context.decode() if isinstance(m.context, bytes) else (m.context or "")

    return {(context(m), m.id): m.string for m in catalog if m.id and m.string}


def read_source(lang: str):
    """The .po catalogue itself, for the completeness tests."""
    with _paths(lang)[0].open("rb") as f:
        return read_po(f, locale=lang)


def compile_all() -> None:
    for lang in sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir()):
        compile_catalogue(lang)


if __name__ == "__main__":
    compile_all()
