"""The QR code on a document: the data mask is the one the standard's penalty selects (as segno
selects it), and what the PDF prints, module by module, is that code."""

import io
import random
import shutil
import string
import subprocess
from datetime import date, datetime, timezone

import pytest
import segno
from PIL import Image

from documents import qr
from documents.render import DocumentContent, qr_payload, render_pdf

DPI = 300


def test_the_mask_chosen_is_the_one_segno_chooses_for_every_size_of_payload():
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "./:-_\n"
    for length in (1, 12, 40, 90, 160, 240, 300, 340, 420, 600) * 4:
        payload = "".join(rng.choice(alphabet) for _ in range(length))
        ours, theirs = qr.make(payload), segno.make(payload, error="m", micro=False)
        assert (ours.version, ours.mask, ours.matrix) == (theirs.version, theirs.mask, theirs.matrix), payload


def test_the_printed_qr_code_is_the_code_module_by_module():
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm missing: install it with `apt-get install -y poppler-utils`")
    content = DocumentContent(
        "RC-GB-2026-000001", "RC", "refugee", "REF-2026-000001", "KARIMOVA Dilnoza", date(1990, 4, 12),
        date(2026, 11, 23), date(2027, 11, 22), "ARYZ1." + "QWxhZGRpbjpvcGVuIHNlc2FtZQ" * 8 + ".k2026." + "s" * 86,
        "http://127.0.0.1:8000/verify/RC-GB-2026-000001", details=[("nationality", "AFG")])
    pdf = render_pdf(content, datetime(2026, 11, 23, 9, tzinfo=timezone.utc))
    page = Image.open(io.BytesIO(subprocess.run(
        ["pdftoppm", "-gray", "-png", "-r", str(DPI), "-singlefile", "-"], input=pdf, capture_output=True,
        check=True).stdout)).convert("L")
    code = qr.make(qr_payload(content))
    width = len(code.matrix)
    # The code's modules as printed: the dark extent of the 38 mm image at the footer's left, before
    # its text (44 mm in), with its two-module light border white as the page; each module sampled
    # at its centre and on four sides of it.
    mm = DPI / 25.4
    left, right = round(16 * mm), round((16 + 42) * mm)
    dark_rows = [y for y in range(page.height) if page.crop((left, y, right, y + 1)).getextrema()[0] < 128]
    runs, start = [], dark_rows[0]
    for previous, y in zip(dark_rows, dark_rows[1:] + [None], strict=True):
        if y != previous + 1:
            runs.append((start, previous))
            start = y
    top, bottom = max(runs, key=lambda run: run[1] - run[0])
    assert bottom - top > 30 * mm  # the square, not a line of text
    columns = [x for x in range(left, right) if page.crop((x, top, x + 1, bottom + 1)).getextrema()[0] < 128]
    x0, x1 = columns[0], columns[-1]
    module = (x1 - x0 + 1) / width
    assert abs((bottom - top + 1) / width - module) < 0.5

    def shade(i: int, j: int) -> int:
        """1 dark, 0 light, -1 grey: each module is one flat square, not smoothed into its neighbours."""
        values = [page.getpixel((round(x0 + (j + 0.5 + dx) * module), round(top + (i + 0.5 + dy) * module)))
                  for dx, dy in ((0, 0), (-0.3, 0), (0.3, 0), (0, -0.3), (0, 0.3))]
        return 1 if max(values) < 64 else 0 if min(values) > 192 else -1

    assert [[shade(i, j) for j in range(width)] for i in range(width)] == [list(row) for row in code.matrix]
