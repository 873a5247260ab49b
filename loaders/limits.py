"""The size limits of a member file, each bounding what reading it will allocate.

A real member file holds a few hundred actions in about 15 columns: well under
1 MB. Every limit below leaves ample room for that and refuses what only a
damaged or hostile file needs. They are checked before the big structures are
built (the zip directory before unpacking, the sheet XML before calamine lays
out cells, each CSV row as it is read), and read through this module at call
time so tests can lower them.
"""

from __future__ import annotations

MAX_FILE_BYTES = 10 * 1024 * 1024
"""An upload or member file on disk."""

MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
"""What an .xlsx/.ods package may unpack to (a zip bomb declares far more)."""

MAX_SHEET_CELLS = 2_000_000
"""Cells from A1 to the last cell with a value, per sheet (calamine allocates them all at once); also the
cells of a CSV. 2 million is 100,000 rows of 20 columns."""

MAX_SHEET_TEXT = 50_000_000
"""Characters of text the reader copies out of one sheet. calamine copies a shared string (.xlsx) or a
repeated cell (.ods) into every cell that uses it, so a few bytes can ask for gigabytes; 50 million
characters is 100,000 rows of 500 characters."""

MAX_CSV_LINES = 1_048_576
"""A CSV has at most as many lines as a sheet has rows; more is not a member file (10 MB of empty lines is
10 million rows, seconds of parsing for nothing)."""

MAX_CSV_COLUMNS = 256
"""Columns of one CSV row. The template has 15; a member may add a few of their own. 256 is Excel 2003's
column limit (IV): far above any member file, and it stops a line of a million commas from becoming a
million columns (and a warning for each)."""

MAX_CELL_CHARS = 32_767
"""Characters in one CSV cell: Excel's own cell limit, so anything longer did not come from a spreadsheet."""

MAX_UNKNOWN_COLUMN_WARNINGS = 20
"""Unknown-column warnings listed one by one per file; the rest are summed up in one more warning."""
