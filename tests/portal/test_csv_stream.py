"""portal.core.csv_stream: every streamed CSV export is safe to open in a spreadsheet."""
import csv
import io

from portal.core.csv_stream import csv_lines


def _parsed(lines) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(lines))))


def test_csv_lines_quotes_a_text_cell_that_a_spreadsheet_would_run_as_a_formula():
    rows = _parsed(csv_lines(["name"], [["=HYPERLINK(\"http://evil\")"], ["+44 1245 000000"], ["-1+1"], ["@SUM(A1)"]]))

    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(\"http://evil\")", "'+44 1245 000000", "'-1+1", "'@SUM(A1)"]


def test_csv_lines_leaves_numbers_and_already_quoted_cells_as_they_are():
    rows = _parsed(csv_lines(["amount", "note"], [[-250, "'=already quoted"]]))

    assert rows[1] == ["-250", "'=already quoted"]
