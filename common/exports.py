"""Lists as CSV and XLSX files with Chinese headers, for the auditor's exports (pages and API alike).

CSV starts with a UTF-8 byte-order mark: without it Excel, which auditors open these
files with, reads UTF-8 as the local code page and the Chinese turns to noise. Text
that a spreadsheet would run as a formula (=, +, -, @ first) is written as text in
both formats: a reviewer's comment must never become a formula on an auditor's desk
(OWASP's "CSV injection").
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | Decimal | date | datetime | None


@dataclass(frozen=True)
class Column:
    header: str  # 中文表头
    width: int = 14  # XLSX column width in characters


@dataclass(frozen=True)
class Table:
    """What an export holds: a sheet title, its columns and its rows (each a sequence of cells)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Cell]]


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _defused(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def as_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in table.columns])
    for row in table.rows:
        writer.writerow([_defused(_text(v)) if isinstance(v, str) else _text(v) for v in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def as_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.title[:31])
    for index, column in enumerate(table.columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=_text(value) if isinstance(value, date | datetime) else value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with "=" (openpyxl would store a formula)
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(table: Table, fmt: str) -> bytes:
    return as_csv(table) if fmt == "csv" else as_xlsx(table)


def filename(stem: str, fmt: str) -> str:
    """ASCII stem and today's date: 'audit-cases-2026-11-30.xlsx'."""
    return f"{stem}-{timezone.localdate().isoformat()}.{fmt}"
