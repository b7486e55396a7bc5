"""CSV downloads streamed row by row, safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator


def safe_cell(value: str) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ is run as a formula by Excel.
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """Yield the header line, then one CSV line per row (for a ``StreamingHttpResponse``).

    Every text cell goes through ``safe_cell`` here, so no export can forget it
    (``safe_cell`` leaves an already-quoted cell as it is, so callers that still
    apply it themselves get the same text).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return value

    writer.writerow(header)
    yield flush()
    for row in rows:
        writer.writerow([safe_cell(cell) if isinstance(cell, str) else cell for cell in row])
        yield flush()
