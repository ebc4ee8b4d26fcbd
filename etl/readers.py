"""Supplier files (CSV in Finnish dialects, .xlsx, .parquet) -> batches of text frames.

Every cell comes out as the text the supplier wrote (nothing is parsed here), under a
canonical column name, with `row`: the row number as Excel shows it (the header is row 1).
Columns we do not know are kept as `extra_<i>` so that they can still be checked for
personal identity codes, and named in a warning.

Every reader reads exactly the file it is given (no wildcard expansion of the name) and stays
within `etl.limits`; temporary files go to the caller's folder (`etl.temp_files`).
"""

import codecs
import csv
import datetime as dt
import hashlib
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from contracts.messages import Message, message
from etl import limits, workbook
from etl.messages import MessageError

ROW = "row"
CANONICAL_COLUMNS = (
    "contract", "indicator", "period", "value", "n", "numerator", "denominator", "excluded",
    "client", "note",
)  # fmt: skip
REQUIRED_COLUMNS = ("contract", "indicator", "period")
REQUIRED_NAMES = {
    "contract": ("sopimus", "avtal", "contract"),
    "indicator": ("mittari", "mätare", "indicator"),
    "period": ("kausi/kuukausi", "period/månad", "period/month"),
}
"""A required column's header in Finnish, Swedish and English, for the report that misses it."""

HEADER_ALIASES: dict[str, str] = {
    # Finnish
    "sopimus": "contract", "sopimustunnus": "contract", "mittari": "indicator",
    "indikaattori": "indicator", "kausi": "period", "kuukausi": "period", "jakso": "period",
    "kk": "period", "arvo": "value", "lkm": "n", "osoittaja": "numerator",
    "nimittäjä": "denominator", "nimittaja": "denominator", "poissuljetut": "excluded",
    "poissulut": "excluded", "asiakas": "client", "asiakastunnus": "client",
    "huomautus": "note", "kommentti": "note", "lisätieto": "note", "lisätiedot": "note",
    # Swedish
    "avtal": "contract", "mätare": "indicator", "period": "period", "månad": "period",
    "värde": "value", "täljare": "numerator", "nämnare": "denominator",
    "exkluderade": "excluded", "klient": "client", "anmärkning": "note", "kommentar": "note",
    # English
    "contract": "contract", "contract_id": "contract", "indicator": "indicator",
    "indicator_id": "indicator", "month": "period", "value": "value", "n": "n",
    "numerator": "numerator", "denominator": "denominator", "excluded": "excluded",
    "client": "client", "client_id": "client", "note": "note", "comment": "note",
}  # fmt: skip

BATCH_ROWS = 250_000
CSV_PIECE_BYTES = 8 * limits.MiB
"""A CSV file is parsed this many bytes (whole lines) at a time."""
XLSX_BATCH_ROWS = 100_000
XLSX_BATCH_CHARS = 16 * limits.MiB
_CHUNK = 1 << 24
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


Column = str | Message | None
"""A column as the file's header writes it, or one we name (`column 3`) where it has none."""
Located = tuple[int | None, Column, Message]
"""(row, column, reason) of one problem that makes a file unreadable."""


class UnreadableFile(MessageError):
    """The file as a whole cannot be read; `row` and `column` say where, when known.
    `located` lists every such problem found (e.g. each Parquet column of a wrong type)."""

    def __init__(
        self,
        reason: Message,
        row: int | None = None,
        column: Column = None,
        more: list[Located] | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.column = column
        self.located: list[Located] = [(row, column, reason), *(more or [])]


@dataclass(frozen=True)
class FileFacts:
    """What one streaming pass over the bytes tells: digest, size, format and encoding."""

    sha256: str
    size: int
    file_format: str
    encoding: str | None


@dataclass
class TextFrames:
    """A supplier file opened for reading: header facts and an iterator of text batches."""

    facts: FileFacts
    delimiter: str | None
    headers: dict[str, str]  # column name in the frames -> header as written in the file
    batches: Iterator[pl.DataFrame]
    cleanup: list[Path] = field(default_factory=list)

    @property
    def unknown_columns(self) -> list[str | Message]:
        return [self.column(name) for name in self.headers if name.startswith("extra_")]

    def column(self, name: str) -> str | Message:
        """The column `name` of the frames as the file's header writes it, or as we name it
        when its header cell is empty."""
        text = self.headers.get(name, name)
        if text or not name.startswith("extra_"):
            return text
        return message("loader.column_no_header", number=int(name.removeprefix("extra_")) + 1)

    def close(self) -> None:
        close = getattr(self.batches, "close", None)
        if close is not None:
            close()
        for path in self.cleanup:
            path.unlink(missing_ok=True)


def inspect_file(path: Path) -> FileFacts:
    """Hash the file and tell its format and (for text) its encoding, in one pass."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    utf8 = True
    head = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            if not head:
                head = chunk[:8]
            digest.update(chunk)
            size += len(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    file_format = _format_of(path, head)
    encoding = None
    if file_format == "csv":
        encoding = _text_encoding(head, utf8)
    return FileFacts(digest.hexdigest(), size, file_format, encoding)


def _format_of(path: Path, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".parquet"):
        raise UnreadableFile(message("loader.named_but_not", suffix=suffix))
    if suffix == ".xls":
        raise UnreadableFile(message("loader.old_xls"))
    return "csv"


def _text_encoding(head: bytes, utf8: bool) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8" if utf8 else "windows-1252"


def open_text_frames(path: Path, facts: FileFacts, work: Path) -> TextFrames:
    """Open a supplier file of any supported format as batches of text frames; a temporary
    copy, if one is needed, is written in the folder `work`."""
    if facts.size == 0:
        raise UnreadableFile(message("loader.empty_file"))
    path = path.absolute()
    if facts.file_format == "xlsx":
        frames = _open_xlsx(path, facts)
    elif facts.file_format == "parquet":
        frames = _open_parquet(path, facts)
    else:
        frames = _open_csv(path, facts, work)
    frames.batches = _within_limits(frames.batches, frames.headers, facts.file_format != "csv")
    return frames


def _within_limits(
    batches: Iterator[pl.DataFrame], headers: dict[str, str], count_text: bool
) -> Iterator[pl.DataFrame]:
    """The batches, refused at the first cell longer than a cell may be, past the last row a
    file may have, or (for formats that can expand, `count_text`) past the text a file may
    hold. Sizes are checked in bytes first: that reads no text."""
    total = 0
    try:
        for batch in batches:
            last = batch[ROW].max() if batch.height else None
            if isinstance(last, int) and last > limits.MAX_ROWS + 1:
                raise UnreadableFile(
                    message("loader.too_many_rows", limit=limits.MAX_ROWS), limits.MAX_ROWS + 2
                )
            sizes = batch.select(pl.col(c).str.len_bytes().max().alias(c) for c in headers).row(
                0, named=True
            )
            if count_text:
                total += sum(
                    batch.select(
                        pl.col(c).str.len_bytes().cast(pl.UInt64).sum() for c in headers
                    ).row(0)
                )
                if total > limits.MAX_TEXT_BYTES:
                    raise UnreadableFile(_too_much_text(), int(batch[ROW][0]))
            for column, size in sizes.items():
                if size is not None and size > limits.MAX_CELL_CHARS:
                    _refuse_long_cell(batch, column, headers[column])
            yield batch
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()


def _refuse_long_cell(batch: pl.DataFrame, column: str, header: str) -> None:
    long = batch.filter(pl.col(column).str.len_chars() > limits.MAX_CELL_CHARS)
    if long.height:
        raise UnreadableFile(_cell_too_long(), int(long[ROW][0]), header)


def _cell_too_long() -> Message:
    return message("loader.cell_too_long", limit=limits.MAX_CELL_CHARS)


def _header_cell_too_long() -> Message:
    return message("loader.header_cell_too_long", limit=limits.MAX_HEADER_CELL_CHARS)


def _too_much_text() -> Message:
    return message("loader.too_much_text", limit=limits.MAX_TEXT_BYTES // limits.MiB)


def _column_number(position: int) -> Message:
    """The column at `position` (0: the first), named by its number: `column 3`."""
    return message("loader.column_number", number=position + 1)


def canonical_headers(written: list[str]) -> dict[str, str]:
    """Map headers as written to frame column names; report unusable headers."""
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    for position, text in enumerate(written):
        if len(text) > limits.MAX_HEADER_CELL_CHARS:
            raise UnreadableFile(
                message(
                    "loader.header_cell_length",
                    length=len(text),
                    limit=limits.MAX_HEADER_CELL_CHARS,
                ),
                1,
                _column_number(position),
            )
    unknown = [t.strip() for t in written if HEADER_ALIASES.get(_cleaned(t).lower()) is None]
    if len(unknown) > limits.MAX_UNKNOWN_COLUMNS:
        raise UnreadableFile(
            message(
                "loader.too_many_unknown_columns",
                count=len(unknown),
                limit=limits.MAX_UNKNOWN_COLUMNS,
                first="; ".join(unknown[:5]),
            ),
            1,
        )
    for position, text in enumerate(written):
        cleaned = _cleaned(text)
        key = HEADER_ALIASES.get(cleaned.lower())
        if key is None:
            names[f"extra_{position}"] = cleaned
            continue
        if key in seen:
            raise UnreadableFile(
                message(
                    "loader.same_meaning",
                    first=seen[key] + 1,
                    first_name=_cleaned(written[seen[key]]),
                    second=position + 1,
                    second_name=cleaned,
                ),
                1,
                cleaned,
            )
        seen[key] = position
        names[key] = cleaned
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise UnreadableFile(
            message(
                "loader.missing_columns",
                missing=", ".join(REQUIRED_NAMES[c][0] for c in missing),
                missing_sv=", ".join(REQUIRED_NAMES[c][1] for c in missing),
                missing_en=", ".join(REQUIRED_NAMES[c][2] for c in missing),
                header="; ".join(written),
            ),
            1,
        )
    return names


def _cleaned(text: str) -> str:
    return text.strip().strip("\ufeff").strip()


def _open_csv(path: Path, facts: FileFacts, work: Path) -> TextFrames:
    source = path
    cleanup: list[Path] = []
    encoding = facts.encoding or "utf-8"
    if encoding in ("windows-1252", "utf-16"):
        source = _transcode_to_utf8(path, encoding, work)
        cleanup.append(source)
    try:
        header_line = _first_line(source)
        delimiter = _sniff_delimiter(header_line)
        try:
            written = next(csv.reader([header_line], delimiter=delimiter, strict=True), [])
        except csv.Error as error:
            raise _header_error(header_line, delimiter, str(error)) from error
        headers = canonical_headers(written)
    except UnreadableFile:
        for temp in cleanup:
            temp.unlink(missing_ok=True)
        raise
    frame = pl.scan_csv(
        source,
        glob=False,
        separator=delimiter,
        has_header=True,
        new_columns=list(headers),
        infer_schema=False,
        quote_char='"',
        encoding="utf8",
        row_index_name=ROW,
        row_index_offset=2,
        raise_if_empty=False,
    )
    pieces = _csv_pieces(source, frame, delimiter, list(headers))
    batches = _guarded(pieces, source, delimiter, written)
    return TextFrames(facts, delimiter, headers, batches, cleanup)


def _csv_pieces(
    source: Path, frame: pl.LazyFrame, delimiter: str, names: list[str]
) -> Iterator[pl.DataFrame]:
    """The CSV file's rows, parsed `CSV_PIECE_BYTES` of whole lines at a time, each piece
    under the file's header line, so that memory does not grow with the file: polars'
    streaming reader (`frame`) parses the whole file ahead of a slower reader of its
    batches. A line ends a row only outside quotes, so from the first piece that holds a
    quote character (or a line longer than a piece) on, the rest of the rows come from
    `frame` after all."""
    next_row = 2
    with open(source, "rb") as handle:
        header = handle.readline()
        while True:
            chunk = handle.read(CSV_PIECE_BYTES)
            if not chunk:
                return
            cut = chunk.rfind(b"\n") + 1
            if b'"' in chunk or (cut == 0 and len(chunk) == CSV_PIECE_BYTES):
                break
            if cut and cut < len(chunk):
                handle.seek(cut - len(chunk), 1)
                chunk = chunk[:cut]
            piece = _csv_piece(header + chunk, delimiter, names, next_row)
            next_row += piece.height
            yield piece
    rest = frame.filter(pl.col(ROW) >= next_row)
    yield from rest.collect_batches(chunk_size=BATCH_ROWS)


def _csv_piece(data: bytes, delimiter: str, names: list[str], first_row: int) -> pl.DataFrame:
    """Whole lines of a CSV file under its header line, parsed as `_open_csv` parses the
    file; its first row is numbered `first_row`."""
    return pl.read_csv(
        io.BytesIO(data),
        separator=delimiter,
        has_header=True,
        new_columns=names,
        infer_schema=False,
        quote_char='"',
        encoding="utf8",
        row_index_name=ROW,
        row_index_offset=first_row,
        raise_if_empty=False,
    )


def _first_line(path: Path) -> str:
    """The header row's text, read no further than the limit; lines that end in a carriage
    return alone (old Mac files) are refused: the CSV parser would see one long line."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        line = handle.readline(limits.MAX_HEADER_CHARS + 1)
    if len(line) > limits.MAX_HEADER_CHARS:
        raise _header_too_long(line)
    if line.endswith("\r"):
        raise UnreadableFile(message("loader.cr_line_ends"), 1)
    return line.rstrip("\r\n")


def _header_error(line: str, delimiter: str, error: str) -> UnreadableFile:
    position = _quote_position(line, delimiter)
    column = None if position is None else _column_number(position)
    if "field larger than field limit" in error:
        return UnreadableFile(_header_cell_too_long(), 1)
    return UnreadableFile(message("loader.header_quote"), 1, column)


def _header_too_long(prefix: str) -> UnreadableFile:
    """Name the header cell that runs past the limit, when one cell alone does."""
    cells = prefix.split(_sniff_delimiter(prefix[: limits.MAX_HEADER_CELL_CHARS]))
    if len(cells[-1]) > limits.MAX_HEADER_CELL_CHARS:
        return UnreadableFile(_header_cell_too_long(), 1, _column_number(len(cells) - 1))
    return UnreadableFile(message("loader.header_row_too_long", limit=limits.MAX_HEADER_CHARS), 1)


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _transcode_to_utf8(path: Path, encoding: str, work: Path) -> Path:
    """Write a UTF-8 copy of a Windows-1252 or UTF-16 file in the folder `work`; name the
    first bad byte's row."""
    handle, name = tempfile.mkstemp(prefix="utf8-", suffix=".csv", dir=work)
    target = Path(name)
    try:
        with open(path, "rb") as raw, open(handle, "wb") as out:
            if encoding == "windows-1252":
                _check_cp1252(raw)
                raw.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                while chunk := raw.read(_CHUNK):
                    out.write(decoder.decode(chunk).encode("utf-8"))
                out.write(decoder.decode(b"", final=True).encode("utf-8"))
            except UnicodeDecodeError as error:
                raise UnreadableFile(
                    message("loader.not_encoding", encoding=encoding, error=str(error))
                ) from error
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def _check_cp1252(raw: io.BufferedReader) -> None:
    """Bytes that Windows-1252 leaves undefined mean the file is in some other encoding."""
    line = 1
    while chunk := raw.read(_CHUNK):
        for byte in _CP1252_UNDEFINED:
            at = chunk.find(bytes([byte]))
            if at >= 0:
                row = line + chunk.count(b"\n", 0, at)
                raise UnreadableFile(message("loader.not_cp1252", byte=f"0x{byte:02X}"), row)
        line += chunk.count(b"\n")


def _guarded(
    batches: Iterator[pl.DataFrame], source: Path, delimiter: str, written: list[str]
) -> Iterator[pl.DataFrame]:
    """Turn the CSV parser's errors into UnreadableFile naming the row, the column and the
    reason in plain words (never the parser's own)."""
    try:
        yield from batches
    except pl.exceptions.PolarsError as error:
        raise _located_csv_error(source, delimiter, written) from error


def _located_csv_error(source: Path, delimiter: str, written: list[str]) -> UnreadableFile:
    """Read the file again with Python's strict CSV reader to find where it goes wrong."""
    width = len(written)
    start = 1
    with open(source, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            for record in reader:
                if len(record) > width:
                    return UnreadableFile(
                        message(
                            "loader.too_many_fields",
                            fields=len(record),
                            width=width,
                            delimiter=delimiter,
                        ),
                        start,
                    )
                start = reader.line_num + 1
        except csv.Error as error:
            return _quote_error(source, delimiter, written, start, str(error))
    return UnreadableFile(message("loader.csv_unparsable", delimiter=delimiter))


def _quote_error(
    source: Path, delimiter: str, written: list[str], row: int, error: str
) -> UnreadableFile:
    with open(source, encoding="utf-8-sig", newline="") as handle:
        line = ""
        for number, text in enumerate(handle, start=1):
            if number == row:
                line = text[: limits.MAX_HEADER_CHARS]
                break
    position = _quote_position(line, delimiter)
    column: Column = None
    if position is not None:
        header = written[position].strip() if position < len(written) else ""
        column = header or _column_number(position)
    if "field larger than field limit" in error:
        reason = _cell_too_long()
    elif "unexpected end of data" in error:
        reason = message("loader.quote_unclosed")
    else:
        reason = message("loader.quote_misplaced")
    return UnreadableFile(reason, row, column)


def _quote_position(line: str, delimiter: str) -> int | None:
    """The index of the first cell on the line whose quotes are not as CSV writes them."""
    cell, quoted, at_start, closed = 0, False, True, False
    opened_in = None
    index = 0
    while index < len(line):
        char = line[index]
        if quoted:
            if char == '"' and line[index + 1 : index + 2] == '"':
                index += 1
            elif char == '"':
                quoted, closed = False, True
        elif char == delimiter:
            cell, at_start, closed = cell + 1, True, False
            index += 1
            continue
        elif char in "\r\n":
            pass
        elif closed:
            return cell
        elif char == '"' and at_start:
            quoted, opened_in = True, cell
        at_start = False
        index += 1
    return opened_in if quoted else None


def _open_xlsx(path: Path, facts: FileFacts) -> TextFrames:
    """The first sheet, streamed (`etl.workbook`); the header row is row 1."""
    try:
        sheet = workbook.open_first_sheet(path)
    except workbook.WorkbookError as error:
        raise _workbook_problem(error, []) from error
    written: list[str] = []
    try:
        rows = sheet.rows()
        first = next(rows, None)
        if first is None:
            raise UnreadableFile(message("loader.sheet_empty"))
        number, cells = first
        header = cells if number == 1 else {}
        written = [_cell_text(header.get(i)) or "" for i in range(max(header, default=-1) + 1)]
        while written and not written[-1]:
            written.pop()
        headers = canonical_headers(written)
    except workbook.WorkbookError as error:
        sheet.close()
        raise _workbook_problem(error, written) from error
    except BaseException:
        sheet.close()
        raise
    sheet.width = len(written)
    return TextFrames(facts, None, headers, _xlsx_batches(sheet, rows, headers, written))


def _xlsx_batches(
    sheet: workbook.Sheet, rows: Iterator[workbook.Row], headers: dict[str, str], written: list[str]
) -> Iterator[pl.DataFrame]:
    """Text frames of at most XLSX_BATCH_ROWS rows or XLSX_BATCH_CHARS characters."""
    names = list(headers)
    try:
        numbers: list[int] = []
        columns: dict[str, list[str | None]] = {name: [] for name in names}
        chars = 0
        for number, cells in rows:
            numbers.append(number)
            for position, name in enumerate(names):
                text = _cell_text(cells.get(position))
                columns[name].append(text)
                chars += len(text) if text else 0
            if len(numbers) >= XLSX_BATCH_ROWS or chars >= XLSX_BATCH_CHARS:
                yield _text_frame(numbers, columns)
                numbers, columns, chars = [], {name: [] for name in names}, 0
        yield _text_frame(numbers, columns)
    except workbook.WorkbookError as error:
        raise _workbook_problem(error, written) from error
    finally:
        sheet.close()


def _text_frame(numbers: list[int], columns: dict[str, list[str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {ROW: pl.Series(numbers, dtype=pl.Int64)}
        | {name: pl.Series(values, dtype=pl.String) for name, values in columns.items()}
    )


def _workbook_problem(error: workbook.WorkbookError, written: list[str]) -> UnreadableFile:
    """The workbook's refusal, its column named by the header when there is one."""
    column: Column = None
    if error.column is not None:
        header = written[error.column].strip() if error.column < len(written) else ""
        column = header or message(
            "loader.column_letters", letters=workbook.column_letters(error.column)
        )
    return UnreadableFile(error.reason, error.row, column)


def _cell_text(value: object) -> str | None:
    """A cell's value as the text Excel shows (numbers without a trailing .0, dates d.m.yyyy)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.day}.{value.month}.{value.year}"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    return text if text.strip() else None


_PARQUET_KINDS = {
    pl.List: "loader.parquet_lists",
    pl.Array: "loader.parquet_lists",
    pl.Struct: "loader.parquet_records",
    pl.Binary: "loader.parquet_binary",
    pl.Object: "loader.parquet_objects",
}
"""The message that refuses a Parquet column of each kind that does not hold plain values."""


def _open_parquet(path: Path, facts: FileFacts) -> TextFrames:
    """Columns of text, numbers, dates or booleans; any other column refuses the file."""
    scan = pl.scan_parquet(path, glob=False, hive_partitioning=False)
    try:
        schema = scan.collect_schema()
        rows = scan.select(pl.len()).collect().item()
    except Exception as error:
        raise UnreadableFile(_parquet_unreadable(error)) from error
    unusable: list[Located] = [
        (1, name, _parquet_kind(dtype))
        for name, dtype in schema.items()
        if not _plain_parquet_type(dtype)
    ]
    if unusable:
        raise UnreadableFile(unusable[0][2], 1, unusable[0][1], more=unusable[1:])
    if rows > limits.MAX_ROWS:
        raise UnreadableFile(
            message("loader.parquet_too_many_rows", rows=rows, limit=limits.MAX_ROWS)
        )
    _refuse_expanding_text(scan, schema)
    written = list(schema)
    headers = canonical_headers(written)
    frame = (
        scan.select(
            [
                _parquet_text(pl.col(original), dtype).alias(name)
                for name, original, dtype in zip(headers, written, schema.values(), strict=True)
            ]
        )
        .with_row_index(ROW, offset=2)
        .with_columns(pl.col(ROW).cast(pl.Int64))
    )
    return TextFrames(facts, None, headers, _parquet_batches(frame, rows))


_PLAIN_PARQUET_TYPES = (
    pl.Date, pl.Datetime, pl.Time, pl.String, pl.Categorical, pl.Enum, pl.Boolean, pl.Null,
)  # fmt: skip


def _refuse_expanding_text(scan: pl.LazyFrame, schema: pl.Schema) -> None:
    """Parquet stores a text repeated on many rows once: add up the text of all cells (one
    streaming pass over the text columns) before any of it is expanded."""
    lengths = [
        (pl.col(name).cat.len_bytes() if isinstance(dtype, pl.Categorical | pl.Enum)
         else pl.col(name).str.len_bytes()).cast(pl.UInt64).sum()
        for name, dtype in schema.items()
        if isinstance(dtype, pl.String | pl.Categorical | pl.Enum)
    ]  # fmt: skip
    if not lengths:
        return
    try:
        total = scan.select(pl.sum_horizontal(lengths).alias("text")).collect().item()
    except pl.exceptions.PolarsError as error:
        raise UnreadableFile(_parquet_unreadable(error)) from error
    if (total or 0) > limits.MAX_TEXT_BYTES:
        raise UnreadableFile(_too_much_text())


def _plain_parquet_type(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or isinstance(dtype, _PLAIN_PARQUET_TYPES)


def _parquet_kind(dtype: pl.DataType) -> Message:
    for kind, key in _PARQUET_KINDS.items():
        if isinstance(dtype, kind):
            return message(key)
    return message("loader.parquet_type", type=str(dtype))


def _parquet_unreadable(error: Exception) -> Message:
    return message("loader.parquet_unreadable", error=str(error))


def _parquet_batches(frame: pl.LazyFrame, rows: int) -> Iterator[pl.DataFrame]:
    """The rows in batches of BATCH_ROWS, each read when it is wanted (polars' streaming
    batches would read the whole file ahead of a slower reader)."""
    try:
        for start in range(0, rows, BATCH_ROWS):
            yield frame.slice(start, BATCH_ROWS).collect()
    except pl.exceptions.PolarsError as error:
        raise UnreadableFile(_parquet_unreadable(error)) from error


def _parquet_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return column.dt.strftime("%Y-%m-%d")
    return column.cast(pl.String)
