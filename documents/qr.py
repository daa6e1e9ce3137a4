"""The QR code printed on a document: segno encodes it; the data mask is chosen here.

ISO/IEC 18004 (7.8.3) chooses, of the eight data masks, the one whose symbol scores the lowest
penalty. segno scores each mask module by module in Python, which took a sixth of a document's
render (16 ms of the 20 a version-14 code took). Here the same scores are computed a line at a
time, each row or column held as an integer (bit j = module j), and the choice is the one segno
makes (tests/unit/test_document_qr.py compares them) in under 5 ms; the chosen mask is then put on
the data in place of the first (no second encoding), and a code takes about 11 ms instead of 19.
The layout of a symbol's function patterns comes from segno's own encoder, so that both score the
same matrix.
"""

import copy
from functools import lru_cache

import segno
from segno import encoder

_N3 = "1011101"  # dark:light:dark:dark:dark:light:dark, the finder's 1:1:3:1:1


def make(payload: str, error: str = "m") -> segno.QRCode:
    """The QR code of `payload` with the data mask of the lowest penalty."""
    first = segno.make(payload, error=error, mask=0, micro=False)
    best = best_mask(first)
    return first if best == 0 else remasked(first, best)


def remasked(code: segno.QRCode, mask: int) -> segno.QRCode:
    """`code` with its data under `mask` instead: the data modules flipped where the two masks
    differ and the format information rewritten, as encoding it again with `mask` would make it
    (at a tenth of the cost: segno encodes a version-14 code in 7 ms)."""
    width = len(code.matrix)
    masks = _layout(width)[2]
    matrix = tuple(bytearray(row) for row in code.matrix)
    for row, old, new in zip(matrix, masks[code.mask], masks[mask], strict=True):
        flip = old ^ new
        while flip:
            low = flip & -flip
            row[low.bit_length() - 1] ^= 1
            flip ^= low
    encoder.add_format_info(matrix, encoder.normalize_version(code.version), encoder.normalize_errorlevel(code.error),
                            mask)
    result = copy.copy(code)
    result.matrix, result.mask = matrix, mask
    return result


def best_mask(code: segno.QRCode) -> int:
    """The mask ISO/IEC 18004 7.8.3.1 selects for `code`'s data (the first of the lowest scores)."""
    width = len(code.matrix)
    base, region, masks, masks_cols = _layout(width)
    # The unmasked symbol as the encoder evaluates it: function patterns and reserved areas (light)
    # from the layout, the data modules from `code` with its own mask taken off again.
    rows = [_line(row) for row in code.matrix]
    rows = [(b & ~reg) | ((r ^ m) & reg) for b, reg, r, m in zip(base, region, rows, masks[code.mask], strict=True)]
    cols = _transpose(rows, width)
    full = (1 << width) - 1
    scores = [_penalty([r ^ m for r, m in zip(rows, masks[k], strict=True)],
                       [c ^ m for c, m in zip(cols, masks_cols[k], strict=True)], width, full) for k in range(8)]
    return scores.index(min(scores))


def _penalty(rows: list[int], cols: list[int], width: int, full: int) -> int:
    """N1 (runs of one colour) + N2 (2×2 blocks) + N3 (finder-like patterns) + N4 (dark share)."""
    n1 = sum(_runs(line, full) + _runs(~line & full, full) for line in rows + cols)
    pairs = full >> 1  # a 2×2 block starts at columns 0 … width-2
    n2 = 0
    for above, below in zip(rows, rows[1:], strict=False):
        same = ~(above ^ below)
        n2 += (same & (same >> 1) & ~(below ^ (below >> 1)) & pairs).bit_count()
    n3 = sum(_finder_like(format(line, f"0{width}b")[::-1], width) for line in rows + cols)
    dark = sum(row.bit_count() for row in rows)
    n4 = 10 * int(abs(dark / width ** 2 * 100 - 50) / 5)
    return n1 + 3 * n2 + n3 + n4


def _runs(line: int, full: int) -> int:
    """N1 for one colour of a line: a run of 5 + i modules scores 3 + i, i.e. the number of
    five-module windows inside it plus 2."""
    windows = line & (line >> 1) & (line >> 2) & (line >> 3) & (line >> 4) & full
    return windows.bit_count() + 2 * (windows & ~(windows >> 1)).bit_count()


def _finder_like(line: str, width: int) -> int:
    """N3 of one line, scanned as segno scans it (a match counts 40 where four light modules, or
    the symbol's edge, come before or after it; the scan goes on after the match, or inside it)."""
    score = 0
    found = line.find(_N3)
    while found != -1:
        after = found + 7
        if found in (0, width - 7) or "1" not in line[max(found - 4, 0):found] or "1" not in line[after:after + 4]:
            score += 40
        else:
            after = found + 4
        found = line.find(_N3, after)
    return score


def _line(modules) -> int:
    return int("".join("1" if m & 1 else "0" for m in reversed(modules)), 2)


def _transpose(rows: list[int], width: int) -> list[int]:
    bits = [format(row, f"0{width}b") for row in reversed(rows)]  # the last row first: bit i = row i
    return [int("".join(column), 2) for column in zip(*bits, strict=True)][::-1]


@lru_cache(maxsize=40)
def _layout(width: int) -> tuple[list[int], list[int], list[list[int]], list[list[int]]]:
    """For a symbol `width` modules wide, as segno lays it out before masking: the function
    patterns (reserved areas light), the data region, and each mask restricted to the region,
    by row and by column."""
    matrix = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(matrix, width, width)
    encoder.add_alignment_patterns(matrix, width, width)
    region_of = [[1 if v > 1 else 0 for v in row] for row in matrix]  # the dark module is reserved too
    base = [_line([v if v <= 1 else 0 for v in row]) for row in matrix]
    region = [_line(row) for row in region_of]
    functions = encoder.get_data_mask_functions(False)
    masks, masks_cols = [], []
    for fn in functions:
        grid = [[1 if region_of[i][j] and fn(i, j) else 0 for j in range(width)] for i in range(width)]
        masks.append([_line(row) for row in grid])
        masks_cols.append([_line([grid[i][j] for i in range(width)]) for j in range(width)])
    return base, region, masks, masks_cols
