"""Large downloads written to a spooled file, then sent in blocks: memory stays flat."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import IO

from litestar.response import Stream

from impactkit.reports import neutralise
from impactkit.surveys.tabular import TableStream, write_csv

IN_MEMORY = 1024 * 1024
"""A file up to this size stays in memory; a larger one is written to a temporary file."""
BLOCK = 64 * 1024


def spooled_csv(table: TableStream, *, bom: bool = False) -> tuple[IO[bytes], int]:
    """``table`` as UTF-8 CSV in a spooled file, text neutralised for spreadsheets, and its rows.

    The rows are counted before anything is sent, so that the count can be audited and an
    error found while reading is still an error answer, not a cut download.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 - closed by sent_file
    try:
        text = io.TextIOWrapper(spool, encoding="utf-8-sig" if bom else "utf-8", newline="")
        rows = write_csv(table, text, cell=neutralise)
        text.flush()
        text.detach()
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, rows


def sent_file(file: IO[bytes], *, media_type: str, filename: str) -> Stream:
    """Send ``file`` as an attachment in blocks, closing it when sent (or when the client left).

    A ``text/…`` ``media_type`` gets ``; charset=utf-8`` from Litestar: give it without one.
    """

    def blocks() -> Iterator[bytes]:
        try:
            yield from iter(lambda: file.read(BLOCK), b"")
        finally:
            file.close()

    return Stream(
        blocks(),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
