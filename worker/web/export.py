"""The inbox as a file: /export.csv and /export.xlsx take the inbox's GET parameters and give
its alerts, in its order, with the columns of `audit-worker alerts export` (alerts/export.py).

The file is written to a temporary file (in memory up to SPOOL bytes, then on
disk) and streamed from there, so memory stays bounded; at most [web]
export_max_rows alerts go into one file, and a file that was cut says so in a
last row (the inbox says so beside the links)."""
from __future__ import annotations

import csv
import io
import tempfile
from contextlib import closing
from datetime import datetime, timezone
from typing import IO, Iterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from worker.web import auth, queries
from worker.web.site import Site

SPOOL = 8 * 1024 * 1024
CHUNK = 64 * 1024
TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class Rows:
    """The export's rows, at most `cap`, noting each alert's state (the inbox's) for the writers,
    and whether more matched than were written (`cut`)."""

    def __init__(self, cursor, cap: int):
        self.cursor, self.cap = cursor, cap
        self.states: dict[int, str] = {}
        self.cut = False

    def __iter__(self) -> Iterator:
        for n, row in enumerate(self.cursor):
            if n == self.cap:
                self.cut = True         # the query asked for one more than the cap: there was more
                return
            self.states[row["id"]] = row["state"]
            yield row


def disposition(stem_ascii: str, stem: str, ext: str) -> str:
    """An attachment with a plain ASCII filename and the page language's name as filename* (RFC 6266)."""
    return (f'attachment; filename="{stem_ascii}.{ext}"; '
            f"filename*=UTF-8''{quote(f'{stem}.{ext}', safe='')}")


def _chunks(fh: IO[bytes]) -> Iterator[bytes]:
    try:
        fh.seek(0)
        while data := fh.read(CHUNK):
            yield data
    finally:
        fh.close()


def write_csv(rows: Rows, fh: IO[bytes], lang: str, note: str) -> None:
    """UTF-8 with a BOM (Excel on a Chinese Windows reads a CSV without one as GBK); `note` as a last
    one-cell record when the export was cut."""
    from alerts.export import csv_lines

    fh.write("\ufeff".encode())
    for line in csv_lines(rows, lang, rows.states):
        fh.write(line.encode("utf-8"))
    if rows.cut:
        buf = io.StringIO()
        csv.writer(buf).writerow([note])
        fh.write(buf.getvalue().encode("utf-8"))


def routes(site: Site) -> list[Route]:
    csv_cap = int(site.web.get("export_max_rows") or 100_000)
    # A workbook costs far more per row than CSV (100 000 alerts took minutes): it has its own, lower cap.
    caps = {"csv": csv_cap, "xlsx": min(csv_cap, int(site.web.get("export_xlsx_max_rows") or 20_000))}
    site.templates.env.globals["export_caps"] = caps          # the inbox says when an export would be cut

    def export(request: Request, fmt: str) -> Response:
        f = queries.Filters.from_params(request.query_params)
        L = site.L
        cap = caps[fmt]
        note = L("export.cut", n=cap)
        fh = tempfile.SpooledTemporaryFile(max_size=SPOOL)
        try:
            with closing(site.connect()) as conn:
                rows = Rows(queries.matching(conn, f, cap + 1), cap)
                if fmt == "csv":
                    write_csv(rows, fh, site.lang, note)
                else:
                    from alerts.export_xlsx import write_xlsx_stream

                    write_xlsx_stream(rows, fh, site.lang, rows.states, note=lambda: note if rows.cut else None)
            size = fh.tell()
        except BaseException:
            fh.close()
            raise
        day = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
        headers = {"Content-Disposition": disposition(f"audit-alerts-{day}", f"{L('export.filename')}-{day}", fmt),
                   "Content-Length": str(size), "Cache-Control": "no-store",
                   "X-Export-Truncated": "1" if rows.cut else "0"}
        return StreamingResponse(_chunks(fh), media_type=TYPES[fmt], headers=headers)

    return [Route("/export.csv", auth.page(site, lambda r: export(r, "csv")), name="export_csv"),
            Route("/export.xlsx", auth.page(site, lambda r: export(r, "xlsx")), name="export_xlsx")]
