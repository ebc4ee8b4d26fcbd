"""Supplier files (CSV in Finnish dialects, .xlsx, .parquet) -> batches of text frames.

Every cell comes out as the text the supplier wrote (nothing is parsed here), under a
canonical column name, with `row`: the row number as Excel shows it (the header is row 1).
Columns we do not know are kept as `extra_<i>` so that they can still be checked for
personal identity codes, and named in a warning.
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

ROW = "row"
CANONICAL_COLUMNS = (
    "contract", "indicator", "period", "value", "n", "numerator", "denominator", "excluded",
    "client", "note",
)  # fmt: skip
REQUIRED_COLUMNS = ("contract", "indicator", "period")

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

BATCH_ROWS = 1_000_000
_CHUNK = 1 << 24
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


class UnreadableFile(Exception):
    """The file as a whole cannot be read; `row` and `column` say where, when known."""

    def __init__(self, reason: str, row: int | None = None, column: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.column = column


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
    def unknown_columns(self) -> list[str]:
        return [text for name, text in self.headers.items() if name.startswith("extra_")]

    def close(self) -> None:
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
        raise UnreadableFile(f"the file is named {suffix} but its contents are not {suffix}")
    if suffix == ".xls":
        raise UnreadableFile("old .xls workbooks are not read: save the file as .xlsx or CSV")
    return "csv"


def _text_encoding(head: bytes, utf8: bool) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8" if utf8 else "windows-1252"


def open_text_frames(path: Path, facts: FileFacts) -> TextFrames:
    """Open a supplier file of any supported format as batches of text frames."""
    if facts.size == 0:
        raise UnreadableFile("the file is empty (0 bytes)")
    if facts.file_format == "xlsx":
        return _open_xlsx(path, facts)
    if facts.file_format == "parquet":
        return _open_parquet(path, facts)
    return _open_csv(path, facts)


def canonical_headers(written: list[str]) -> dict[str, str]:
    """Map headers as written to frame column names; report unusable headers."""
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    for position, text in enumerate(written):
        cleaned = text.strip().strip("\ufeff").strip()
        key = HEADER_ALIASES.get(cleaned.lower())
        if key is None:
            names[f"extra_{position}"] = cleaned or f"(column {position + 1}, no header)"
            continue
        if key in seen:
            raise UnreadableFile(
                f"columns {seen[key] + 1} and {position + 1} both mean {key!r}", 1, cleaned
            )
        seen[key] = position
        names[key] = cleaned
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise UnreadableFile(
            "missing column(s) "
            + ", ".join(missing)
            + " (Finnish: sopimus, mittari, kausi/kuukausi); the header row has: "
            + "; ".join(written),
            1,
        )
    return names


def _open_csv(path: Path, facts: FileFacts) -> TextFrames:
    source = path
    cleanup: list[Path] = []
    encoding = facts.encoding or "utf-8"
    if encoding in ("windows-1252", "utf-16"):
        source = _transcode_to_utf8(path, encoding)
        cleanup.append(source)
    header_line = _first_line(source)
    delimiter = _sniff_delimiter(header_line)
    written = next(csv.reader([header_line], delimiter=delimiter), [])
    try:
        headers = canonical_headers(written)
    except UnreadableFile:
        for temp in cleanup:
            temp.unlink(missing_ok=True)
        raise
    frame = pl.scan_csv(
        source,
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
    batches = _guarded(
        frame.collect_batches(chunk_size=BATCH_ROWS), source, delimiter, len(written)
    )
    return TextFrames(facts, delimiter, headers, batches, cleanup)


def _first_line(path: Path) -> str:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return handle.readline().rstrip("\r\n")


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _transcode_to_utf8(path: Path, encoding: str) -> Path:
    """Write a UTF-8 copy of a Windows-1252 or UTF-16 file; name the first bad byte's row."""
    handle, name = tempfile.mkstemp(prefix="vaikuttavuus-", suffix=".csv")
    target = Path(name)
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
            target.unlink(missing_ok=True)
            raise UnreadableFile(f"the text is neither UTF-8 nor {encoding}: {error}") from error
    return target


def _check_cp1252(raw: io.BufferedReader) -> None:
    """Bytes that Windows-1252 leaves undefined mean the file is in some other encoding."""
    line = 1
    while chunk := raw.read(_CHUNK):
        for byte in _CP1252_UNDEFINED:
            at = chunk.find(bytes([byte]))
            if at >= 0:
                row = line + chunk.count(b"\n", 0, at)
                raise UnreadableFile(
                    f"the text is neither UTF-8 nor Windows-1252 (byte 0x{byte:02X})", row
                )
        line += chunk.count(b"\n")


def _guarded(
    batches: Iterator[pl.DataFrame], source: Path, delimiter: str, width: int
) -> Iterator[pl.DataFrame]:
    """Turn the CSV parser's errors into UnreadableFile naming the row."""
    try:
        yield from batches
    except pl.exceptions.PolarsError as error:
        row, reason = _locate_csv_error(source, delimiter, width)
        raise UnreadableFile(reason or f"the CSV cannot be parsed: {error}", row) from error


def _locate_csv_error(source: Path, delimiter: str, width: int) -> tuple[int | None, str | None]:
    with open(source, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            for record in reader:
                if len(record) > width:
                    return (
                        reader.line_num,
                        f"row has {len(record)} fields but the header has {width} "
                        f"(a stray {delimiter!r} or an unquoted decimal comma?)",
                    )
        except csv.Error as error:
            return reader.line_num, f"the CSV cannot be parsed: {error}"
    return None, None


def _open_xlsx(path: Path, facts: FileFacts) -> TextFrames:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise UnreadableFile(f"the workbook cannot be opened: {error}") from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise UnreadableFile("the first sheet is empty")
        written = [_cell_text(v) or "" for v in header]
        while written and not written[-1]:
            written.pop()
        headers = canonical_headers(written)
        names = list(headers)
        columns: dict[str, list[str | None]] = {name: [] for name in names}
        numbers: list[int] = []
        for number, values in enumerate(rows, start=2):
            numbers.append(number)
            for position, name in enumerate(names):
                value = values[position] if position < len(values) else None
                columns[name].append(_cell_text(value))
    finally:
        workbook.close()
    frame = pl.DataFrame(
        {ROW: pl.Series(numbers, dtype=pl.Int64)}
        | {name: pl.Series(values, dtype=pl.String) for name, values in columns.items()}
    )
    return TextFrames(facts, None, headers, iter([frame]))


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


def _open_parquet(path: Path, facts: FileFacts) -> TextFrames:
    try:
        schema = pl.read_parquet_schema(path)
    except Exception as error:
        raise UnreadableFile(f"the Parquet file cannot be read: {error}") from error
    written = list(schema)
    headers = canonical_headers(written)
    frame = (
        pl.scan_parquet(path)
        .select(
            [
                _parquet_text(pl.col(original), dtype).alias(name)
                for name, original, dtype in zip(headers, written, schema.values(), strict=True)
            ]
        )
        .with_row_index(ROW, offset=2)
        .with_columns(pl.col(ROW).cast(pl.Int64))
    )
    return TextFrames(facts, None, headers, iter(frame.collect_batches(chunk_size=BATCH_ROWS)))


def _parquet_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return column.dt.strftime("%Y-%m-%d")
    return column.cast(pl.String)
