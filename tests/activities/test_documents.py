"""Issuing documents: one number per document under concurrency and after a worker died
mid-way; every document type rendered in Kyrgyz and Russian, signed, and its first page kept
as an image in test-output/documents/."""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from activities.documents import DocumentActivities
from api.services.applications import submit_application
from db.models import AuditEntry, DocumentFile, IssuedDocumentRow
from documents import pool as render_pool
from documents.render import DocumentContent
from documents.seal import open_file
from schemas.messages import IssueDocumentInput, LetterFacts
from schemas.procedures import PROCEDURES
from tests.conftest import DOCUMENT_SIGNER, PUBLIC_URL, SECRET
from tests.factories import APPLICATIONS

OUT = Path(__file__).resolve().parents[2] / "test-output" / "documents"
POPPLER = ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm")


@pytest.fixture(scope="module", autouse=True)
def poppler():
    """The PDFs are read as a reader's tools read them; without poppler this fails, never skips."""
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: install them with `apt-get install -y poppler-utils`")
KEYS = DOCUMENT_SIGNER.public_keys()
# Each type with the procedure that issues it, and what the letter says when it is one.
TYPES = {"AC": "refugee", "RC": "refugee", "KC": "kairylman", "WPT": "work-permit", "WPL": "work-permit",
         "AGP": "agency-permit", "RDD": "repatriation", "RFL": "refugee", "TML": "kairylman"}
LEGAL_BASIS = {"refugee": ("№ 44 «Качкындар жөнүндө»", "«О беженцах»"),
               "kairylman": ("№ 175", "этническим кыргызам"),
               "work-permit": ("«Тышкы эмгек миграциясы жөнүндө»", "«О внешней трудовой миграции»"),
               "agency-permit": ("№ 175 токтомуна", "Приложение 2"),
               "repatriation": ("№ 56 Жарлыгы", "Указ Президента")}


async def new_case(sessions, procedure: str = "refugee") -> str:
    p = PROCEDURES[procedure]
    async with sessions.begin() as session:
        app = p.application.model_validate(APPLICATIONS[procedure]())
        return (await submit_application(session, p, app, str(uuid.uuid4()), SECRET)).case.case_number


def request(case_number: str, doc_type: str, n: int = 1, **kw) -> IssueDocumentInput:
    now = datetime.now(timezone.utc)
    until = None if doc_type in ("RDD", "RFL", "TML") else now + timedelta(days=90)
    return IssueDocumentInput(case_number, doc_type, f"{case_number}:{doc_type}:{n}", "GB", now, until, **kw)


async def count(sessions, model, *where) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


async def stored_pdf(sessions, number: str) -> bytes:
    from db.repositories.documents import pdf_of

    async with sessions() as s:
        return await pdf_of(s, number)


async def test_twenty_concurrent_issues_get_twenty_distinct_gap_free_numbers(sessions):
    acts = DocumentActivities(sessions, DOCUMENT_SIGNER, PUBLIC_URL)
    cases = [await new_case(sessions) for _ in range(20)]

    async def attempt(case_number):
        try:
            return await acts.issue_document(request(case_number, "AC"))
        except Exception:  # lost a race on the counter row; Temporal retries an activity
            return await acts.issue_document(request(case_number, "AC"))

    issued = await asyncio.gather(*(attempt(n) for n in cases))
    numbers = sorted(d.number for d in issued)
    assert len(set(numbers)) == 20
    seqs = [int(x.rsplit("-", 1)[1]) for x in numbers]
    assert seqs == list(range(seqs[0], seqs[0] + 20))  # one series, no gap, no double


async def test_the_same_issue_retried_concurrently_is_one_document_with_one_pdf(sessions):
    acts = DocumentActivities(sessions, DOCUMENT_SIGNER, PUBLIC_URL)
    n = await new_case(sessions)

    async def attempt():
        try:
            return await acts.issue_document(request(n, "RC"))
        except Exception:
            return await acts.issue_document(request(n, "RC"))

    results = await asyncio.gather(*(attempt() for _ in range(5)))
    assert len({r.number for r in results}) == 1 and len({r.sha256 for r in results}) == 1
    assert await count(sessions, IssuedDocumentRow, IssuedDocumentRow.case_number == n) == 1
    assert await count(sessions, DocumentFile, DocumentFile.number == results[0].number) == 1
    assert await count(sessions, AuditEntry, AuditEntry.case_number == n, AuditEntry.action == "document_stored") == 1


async def test_a_worker_dying_after_the_number_keeps_the_number_and_stores_one_pdf(sessions, monkeypatch):
    acts = DocumentActivities(sessions, DOCUMENT_SIGNER, PUBLIC_URL)
    n = await new_case(sessions)
    real = render_pool.render_pdf

    def dies(*args, **kwargs):
        raise SystemExit("worker killed while rendering")

    monkeypatch.setattr(render_pool, "render_pdf", dies)
    with pytest.raises(SystemExit):
        await acts.issue_document(request(n, "AC"))
    async with sessions() as s:
        allocated = await s.scalar(select(IssuedDocumentRow).where(IssuedDocumentRow.case_number == n))
    assert allocated is not None and allocated.sha256 == ""  # the number is taken, the PDF not yet made
    monkeypatch.setattr(render_pool, "render_pdf", real)
    retried = await acts.issue_document(request(n, "AC"))  # Temporal retries it on another worker
    assert retried.number == allocated.number and retried.sha256
    assert await count(sessions, IssuedDocumentRow, IssuedDocumentRow.case_number == n) == 1
    pdf = await stored_pdf(sessions, retried.number)
    assert open_file(pdf, KEYS)[0].number == retried.number


@pytest.mark.parametrize("doc_type", list(TYPES))
async def test_every_document_type_renders_signed_in_kyrgyz_and_russian(sessions, doc_type):
    procedure = TYPES[doc_type]
    n = await new_case(sessions, procedure)
    acts = DocumentActivities(sessions, DOCUMENT_SIGNER, PUBLIC_URL)
    extra = {}
    if doc_type in ("RFL", "TML"):
        extra["letter"] = LetterFacts("refuse", "security_objection" if procedure == "kairylman" else "not_credible",
                                      "The statements contradict the documents on file.",
                                      datetime.now(timezone.utc) + timedelta(days=31))
    if doc_type == "RDD":
        extra["details"] = {"amount": "100 000 KGS"}
    doc = await acts.issue_document(request(n, doc_type, **extra))
    pdf = await stored_pdf(sessions, doc.number)
    sealed, _ = open_file(pdf, KEYS)
    text = " ".join(pdf_text(pdf).split())
    assert doc.number in text and sealed.holder in text
    assert "КЫРГЫЗ РЕСПУБЛИКАСЫ" in text and "КЫРГЫЗСКАЯ РЕСПУБЛИКА" in text
    ky_basis, ru_basis = LEGAL_BASIS[procedure]
    assert ky_basis in text and ru_basis in text, text
    assert "Укуктук негиз" in text and "Правовое основание" in text
    day = datetime.fromisoformat(sealed.valid_from).strftime("%d.%m.%Y")
    assert day in text
    if sealed.valid_until:
        assert datetime.fromisoformat(sealed.valid_until).strftime("%d.%m.%Y") in text
        assert "Жарактуулук мөөнөтү" in text and "Действительно до" in text
    if doc_type in ("RFL", "TML"):
        assert "даттанууга болот" in text and "может быть обжаловано" in text  # where and by when
        assert "The statements contradict" in text
    if doc_type == "RDD":
        assert "100 000 KGS" in text
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "Aryz-Sans" in fonts and " yes yes " in fonts  # embedded, subset
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True).stdout.decode()
    assert doc.number in info  # title and subject name the number
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", "-",
                    str(OUT / doc_type)], input=pdf, check=True)
    assert (OUT / f"{doc_type}.png").stat().st_size > 10_000


async def test_pdfs_render_in_processes_of_their_own_and_a_dead_one_is_replaced(sessions):
    pool = render_pool.RenderPool(1)
    acts = DocumentActivities(sessions, DOCUMENT_SIGNER, PUBLIC_URL, pool)
    try:
        first = await acts.issue_document(request(await new_case(sessions), "AC"))
        renderers = list(pool._pool._processes)
        assert first.sha256 and renderers and os.getpid() not in renderers
        # They give way to the worker when the cores are busy.
        expected = min(19, os.getpriority(os.PRIO_PROCESS, 0) + render_pool.RENDER_NICENESS)
        assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in renderers} == {expected}
        for pid in renderers:  # the render process is killed (out of memory, an operator's mistake)
            os.kill(pid, signal.SIGKILL)
        n = await new_case(sessions)
        with pytest.raises(BrokenProcessPool):
            await acts.issue_document(request(n, "AC"))
        retried = await acts.issue_document(request(n, "AC"))  # Temporal's retry: a new render process
        assert retried.sha256 and set(pool._pool._processes).isdisjoint(renderers)
        assert await count(sessions, IssuedDocumentRow, IssuedDocumentRow.case_number == n) == 1
        assert open_file(await stored_pdf(sessions, retried.number), KEYS)[0].number == retried.number
    finally:
        pool.close()


async def test_renders_in_the_workers_own_process_go_one_at_a_time(monkeypatch):
    """Without render processes, documents asked for at once by two workers of one process (as in
    the tests) are rendered one after another, each as it would be alone."""
    running, most = 0, 0
    real = render_pool.render_pdf

    def watched(content, issued_at):
        nonlocal running, most
        running += 1
        most = max(most, running)
        try:
            return real(content, issued_at)
        finally:
            running -= 1

    monkeypatch.setattr(render_pool, "render_pdf", watched)
    at = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    contents = [DocumentContent(f"AC-GB-2026-{i:06d}", "AC", "refugee", f"REF-2026-{i:06d}", "KARIMOVA Dilnoza",
                                date(1990, 4, 12), date(2026, 11, 23), date(2027, 11, 22), "ARYZ1.x.y.z",
                                f"{PUBLIC_URL}/verify/AC-GB-2026-{i:06d}") for i in range(1, 7)]
    pools = [render_pool.RenderPool(0), render_pool.RenderPool(0)]
    pdfs = await asyncio.gather(*(pools[i % 2].render(c, at) for i, c in enumerate(contents)))
    assert most == 1
    assert pdfs == [real(c, at) for c in contents]


def test_a_render_process_ends_when_its_worker_is_killed(tmp_path):
    """A worker SIGKILLed mid-life leaves no render process behind."""
    script = tmp_path / "worker.py"
    script.write_text("""
import asyncio, sys
from datetime import date, datetime, timezone
from documents.pool import RenderPool
from documents.render import DocumentContent

async def main():
    pool = RenderPool(1)
    content = DocumentContent("AC-GB-2026-000001", "AC", "refugee", "REF-2026-000001", "A B", date(1990, 1, 1),
                              date(2026, 1, 1), date(2027, 1, 1), "ARYZ1.x.y.z", "http://127.0.0.1/verify/x")
    await pool.render(content, datetime.now(timezone.utc))
    print(*pool._pool._processes, flush=True)
    await asyncio.sleep(60)

if __name__ == "__main__":
    asyncio.run(main())
""")
    worker = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2],
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    renderers = [int(pid) for pid in worker.stdout.readline().split()]
    assert renderers
    worker.kill()
    worker.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() and
                                              "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
                                              for pid in renderers):
        time.sleep(0.2)
    alive = [pid for pid in renderers if Path(f"/proc/{pid}").exists()
             and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"]
    assert not alive, f"render processes outlived their worker: {alive}"


async def test_a_document_issued_in_the_first_hours_of_1_january_in_bishkek_is_numbered_in_the_new_year(sessions):
    from db.repositories.documents import issue

    case_number = await new_case(sessions)
    new_year_in_bishkek = datetime(2030, 12, 31, 19, 30, tzinfo=timezone.utc)  # 01:30 on 1 January 2031, UTC+6
    async with sessions.begin() as s:
        row = await issue(s, issue_key=f"{case_number}:AC:new-year", case_number=case_number, doc_type="AC",
                          region="GB", issued_at=new_year_in_bishkek, valid_until=None, holder_initials="D. K.",
                          replaces="", seal_for=lambda number: f"seal of {number}")
    assert row.number.startswith("AC-GB-2031-")
