"""Limits on supplier files, all in one place (listed in docs/deliveries.md).

Past any of them a file is refused with a report before it can exhaust memory, time, disk or
the write lock. They are far above what a real delivery needs: Excel's own limits where Excel
has one, and for a workbook's compressed parts bounds that keep a load's memory well under
1 GiB whatever the file declares.
"""

MiB = 1 << 20

MAX_CELL_CHARS = 32_767
"""Characters in one cell, in any format (Excel's own limit for a cell)."""

MAX_HEADER_CELL_CHARS = 1_000
"""Characters in one header cell: a column name, not a text."""

MAX_HEADER_CHARS = 1 * MiB
"""Characters in the header row of a CSV file, read before anything else."""

MAX_UNKNOWN_COLUMNS = 50
"""Columns the format does not use (they are only checked for identity codes)."""

MAX_ROWS = 20_000_000
"""Data rows in one file, in any format."""

XLSX_MAX_ROWS = 1_048_576
"""Rows in a workbook's sheet (Excel's own limit)."""

XLSX_MAX_COLUMNS = 16_384
"""Cells in one row of a workbook's sheet (Excel's own limit)."""

XLSX_MAX_PARTS = 1_000
"""Parts (files) in a workbook's zip archive; a workbook has about ten."""

XLSX_MAX_DIRECTORY_BYTES = 1 * MiB
"""Size of the zip archive's directory of parts."""

XLSX_MAX_UNCOMPRESSED_BYTES = 512 * MiB
"""All parts of a workbook together, uncompressed, as the archive declares them (reading never
goes past the declared size)."""

XLSX_MAX_SHARED_STRINGS_BYTES = 64 * MiB
"""The workbook's table of texts (xl/sharedStrings.xml), uncompressed: it is held in memory."""

XLSX_MAX_STYLES_BYTES = 16 * MiB
"""The workbook's styles (xl/styles.xml) and its other small parts (workbook.xml, relations),
uncompressed: each is read whole."""

XLSX_MAX_RATIO = 100
"""Uncompressed size / compressed size, of each part and of the workbook: a real sheet
compresses 10 to 20 times; a zip bomb a thousand."""

XLSX_RATIO_FLOOR_BYTES = 1 * MiB
"""Parts (and workbooks) smaller than this uncompressed are not held to the ratio."""

XLSX_MAX_TEXT_EXPANSION = 16
"""The text of a sheet's cells, at most this many times the sheet's and the text table's
uncompressed size: a cell refers to the table by a number, so a long text referred to by every
row is small in the file but not in memory (a note repeated on every row is 5 to 10 times)."""

XLSX_TEXT_FLOOR_BYTES = 8 * MiB
"""Small workbooks may hold this much text in their cells whatever their size."""

MAX_TEXT_BYTES = 512 * MiB
"""Text of all cells of a workbook or Parquet file together, as read: a short text referred to
a million times is small on disk but not in memory (a CSV file's text is the file itself)."""

MAX_UPLOAD_BYTES = 200 * MiB
"""One file uploaded in the dashboard (`vaikuttavuus serve` passes it to Streamlit as
--server.maxUploadSize, in MiB); a larger delivery is loaded with `vaikuttavuus load`."""

UPLOAD_SUFFIXES = (".csv", ".xlsx", ".parquet")
"""The only kinds of file the dashboard's upload accepts (the command line reads more)."""
