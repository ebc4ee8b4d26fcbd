"""Excel workbooks (.xlsx): the zip archive checked against the limits, then the first sheet
read as a stream of rows in bounded memory.

Nothing is decompressed before the archive's directory has been checked: how many parts it
has, their declared uncompressed sizes and their compression ratios (`etl.limits`). Reading a
part never goes past its declared size (zipfile stops there and checks the CRC), so the
declared sizes bound the work. The sheet is parsed with expat one cell at a time: too many
rows, a cell beyond Excel's last column, a text too long or a DTD refuse the file as soon as
they are seen. Values come out as openpyxl would give them (int, float, str, bool, datetime).
"""

import datetime as dt
import posixpath
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from contracts.messages import Message, message
from etl import limits
from etl.messages import MessageError

Cell = int | float | str | bool | dt.datetime
Row = tuple[int, dict[int, Cell]]
"""A sheet row: its number as Excel shows it, and its cells by column index (A = 0)."""

_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END = b"PK\x06\x06"
_READ = 1 << 16
_RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class WorkbookError(MessageError):
    """The workbook is refused; `row` and `column` (an index, A = 0) say where, when known."""

    def __init__(self, reason: Message, row: int | None = None, column: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.column = column


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as Excel names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _mib(size: int) -> Decimal:
    """A size in MiB to one decimal (a message shows it as `{size:num} MiB`)."""
    return (Decimal(size) / limits.MiB).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _damaged(error: object) -> Message:
    return message("loader.workbook_damaged", error=str(error))


def check_archive(path: Path) -> None:
    """Refuse a zip archive whose directory or declared sizes are past the limits."""
    parts, directory_size = _directory_extent(path)
    if parts > limits.XLSX_MAX_PARTS or directory_size > limits.XLSX_MAX_DIRECTORY_BYTES:
        raise WorkbookError(
            message("loader.workbook_parts", parts=parts, directory=_mib(directory_size),
                    limit=limits.XLSX_MAX_PARTS)
        )  # fmt: skip
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise WorkbookError(_damaged(error)) from error
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    if total > limits.XLSX_MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(
            message("loader.workbook_uncompressed", size=_mib(total),
                    limit=_mib(limits.XLSX_MAX_UNCOMPRESSED_BYTES))
        )  # fmt: skip
    sizes: list[tuple[str | None, int, int]] = [
        (i.filename, i.file_size, i.compress_size) for i in infos
    ]
    for name, size, packed in [*sizes, (None, total, compressed)]:
        if size >= limits.XLSX_RATIO_FLOOR_BYTES and size > limits.XLSX_MAX_RATIO * max(packed, 1):
            ratio = message(
                "loader.workbook_ratio" if name is None else "loader.workbook_ratio_part",
                part=name,
                ratio=size // max(packed, 1),
                size=_mib(size),
                packed=packed,
                limit=limits.XLSX_MAX_RATIO,
            )
            raise WorkbookError(ratio)


def _directory_extent(path: Path) -> tuple[int, int]:
    """(number of parts, size of the directory) from the archive's end record, read before
    zipfile builds the directory in memory."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        tail_size = min(size, 22 + 0xFFFF + 20)
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
        at = tail.rfind(_END_OF_DIRECTORY)
        if at < 0 or len(tail) - at < 22:
            raise WorkbookError(message("loader.workbook_no_directory"))
        parts, directory_size = struct.unpack("<HI", tail[at + 10 : at + 16])
        if parts != 0xFFFF and directory_size != 0xFFFFFFFF:
            return int(parts), int(directory_size)
        locator = tail[at - 20 : at]
        if at < 20 or not locator.startswith(_ZIP64_LOCATOR):
            raise WorkbookError(message("loader.workbook_directory_incomplete"))
        (offset,) = struct.unpack("<Q", locator[8:16])
        handle.seek(offset)
        record = handle.read(56)
        if not record.startswith(_ZIP64_END) or len(record) < 56:
            raise WorkbookError(message("loader.workbook_directory_incomplete"))
        parts64, directory64 = struct.unpack("<QQ", record[32:48])
        return int(parts64), int(directory64)


@dataclass
class Sheet:
    """The first sheet of a checked workbook, with what its cells refer to."""

    archive: zipfile.ZipFile
    part: str
    texts: list[str]
    date_styles: frozenset[int]
    epoch: dt.datetime
    text_budget: int
    """Characters the cells' text may add up to (`limits.XLSX_MAX_TEXT_EXPANSION`)."""
    width: int | None = None
    """Cells at or past this column index are skipped unread (set once the header is known)."""

    def close(self) -> None:
        self.archive.close()

    def rows(self) -> Iterator[Row]:
        """The sheet's rows in order, each as soon as its end tag is parsed; a refusal comes
        after the rows before it (so that the header is known when it comes)."""
        parser = _SheetParser(self)
        try:
            with self.archive.open(self.part) as stream:
                while chunk := stream.read(_READ):
                    try:
                        parser.feed(chunk)
                    except WorkbookError:
                        yield from parser.take()
                        raise
                    yield from parser.take()
                parser.feed(b"", final=True)
                yield from parser.take()
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise WorkbookError(_damaged(error)) from error


def open_first_sheet(path: Path) -> Sheet:
    """Check the archive against the limits, then read what the first sheet needs: the
    workbook's text table, which styles are dates, and the date system."""
    check_archive(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise WorkbookError(_damaged(error)) from error
    try:
        workbook_part = _target(archive, "", "officeDocument") or "xl/workbook.xml"
        sheet_id, date1904 = _workbook_facts(archive, workbook_part)
        folder = posixpath.dirname(workbook_part)
        relations = _relations(archive, workbook_part)
        sheet_part = relations.get(sheet_id, (None, ""))[0] if sheet_id else None
        if sheet_part is None or sheet_part not in archive.NameToInfo:
            raise WorkbookError(message("loader.workbook_no_sheet"))
        texts_part = _by_type(relations, "sharedStrings") or posixpath.join(
            folder, "sharedStrings.xml"
        )
        styles_part = _by_type(relations, "styles") or posixpath.join(folder, "styles.xml")
        texts = _shared_texts(archive, texts_part)
        date_styles = _date_styles(archive, styles_part)
    except BaseException:
        archive.close()
        raise
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    packed = archive.NameToInfo[sheet_part].file_size
    if texts_part in archive.NameToInfo:
        packed += archive.NameToInfo[texts_part].file_size
    budget = max(limits.XLSX_TEXT_FLOOR_BYTES, limits.XLSX_MAX_TEXT_EXPANSION * packed)
    return Sheet(archive, sheet_part, texts, date_styles, epoch, budget)


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    info = archive.NameToInfo.get(name)
    if info is None:
        return None
    if info.file_size > limits.XLSX_MAX_STYLES_BYTES:
        raise WorkbookError(
            message("loader.workbook_part_too_large", part=name, size=_mib(info.file_size),
                    limit=_mib(limits.XLSX_MAX_STYLES_BYTES))
        )  # fmt: skip
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise WorkbookError(_damaged(error)) from error


def _parse(
    data: bytes | IO[bytes],
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Run expat over a part with local tag names; a DTD (never in a workbook) is refused."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def no_dtd(*_: object) -> None:
        raise WorkbookError(message("loader.workbook_dtd"))

    parser.StartDoctypeDeclHandler = no_dtd
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        if isinstance(data, bytes):
            parser.Parse(data, True)
        else:
            while chunk := data.read(_READ):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise WorkbookError(_damaged(error)) from error


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _relations(archive: zipfile.ZipFile, source: str) -> dict[str, tuple[str, str]]:
    """A part's relations: id -> (target part, type)."""
    folder, name = posixpath.split(source)
    data = _small_part(archive, posixpath.join(folder, "_rels", name + ".rels"))
    found: dict[str, tuple[str, str]] = {}
    if data is None:
        return found

    def start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "Relationship" and "Target" in attrs:
            target = attrs["Target"]
            part = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            found[attrs.get("Id", "")] = (posixpath.normpath(part), attrs.get("Type", ""))

    _parse(data, start)
    return found


def _target(archive: zipfile.ZipFile, source: str, kind: str) -> str | None:
    return _by_type(_relations(archive, source), kind)


def _by_type(relations: dict[str, tuple[str, str]], kind: str) -> str | None:
    for part, relation in relations.values():
        if relation.endswith("/" + kind):
            return part
    return None


def _workbook_facts(archive: zipfile.ZipFile, part: str) -> tuple[str | None, bool]:
    """The relation id of the first sheet, and whether dates count from 1904."""
    data = _small_part(archive, part)
    if data is None:
        raise WorkbookError(message("loader.workbook_not_excel"))
    facts: dict[str, Any] = {"sheet": None, "date1904": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        if name == "sheet" and facts["sheet"] is None:
            facts["sheet"] = attrs.get(f"{_RELATIONS} id")
        elif name == "workbookPr":
            facts["date1904"] = attrs.get("date1904", "0").lower() in ("1", "true")

    _parse(data, start)
    return facts["sheet"], bool(facts["date1904"])


def _shared_texts(archive: zipfile.ZipFile, part: str) -> list[str]:
    """The workbook's table of texts (cells of type s refer to it by index)."""
    info = archive.NameToInfo.get(part)
    if info is None:
        return []
    if info.file_size > limits.XLSX_MAX_SHARED_STRINGS_BYTES:
        raise WorkbookError(
            message("loader.workbook_texts_too_large", part=part, size=_mib(info.file_size),
                    limit=_mib(limits.XLSX_MAX_SHARED_STRINGS_BYTES))
        )  # fmt: skip
    texts: list[str] = []
    state: dict[str, Any] = {"pieces": [], "length": 0, "in_t": False, "phonetic": 0}

    def start(tag: str, _: dict[str, str]) -> None:
        name = _local(tag)
        if name == "si":
            state["pieces"], state["length"] = [], 0
        elif name == "rPh":
            state["phonetic"] += 1
        elif name == "t" and not state["phonetic"]:
            state["in_t"] = True

    def end(tag: str) -> None:
        name = _local(tag)
        if name == "si":
            texts.append("".join(state["pieces"]))
        elif name == "rPh":
            state["phonetic"] -= 1
        elif name == "t":
            state["in_t"] = False

    def text(data: str) -> None:
        if state["in_t"]:
            state["length"] += len(data)
            if state["length"] > limits.MAX_CELL_CHARS:
                raise WorkbookError(
                    message("loader.workbook_text_too_long", limit=limits.MAX_CELL_CHARS)
                )
            state["pieces"].append(data)

    try:
        with archive.open(part) as stream:
            _parse(stream, start, end, text)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise WorkbookError(_damaged(error)) from error
    return texts


def _date_styles(archive: zipfile.ZipFile, part: str) -> frozenset[int]:
    """Indices of the cell styles whose number format shows a date. (openpyxl is imported
    here, not with the module: importing it takes longer than loading a small CSV file.)"""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    data = _small_part(archive, part)
    if data is None:
        return frozenset()
    formats: dict[int, str] = dict(BUILTIN_FORMATS)
    styles: list[int] = []
    depth = {"cellXfs": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        if name == "numFmt":
            number = attrs.get("numFmtId", "")
            if number.isdigit():
                formats[int(number)] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            depth["cellXfs"] += 1
        elif name == "xf" and depth["cellXfs"]:
            try:
                styles.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                styles.append(0)

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            depth["cellXfs"] -= 1

    _parse(data, start, end)
    return frozenset(
        index for index, fmt in enumerate(styles) if fmt in formats and is_date_format(formats[fmt])
    )


def _column_index(reference: str) -> int:
    """'AB12' -> 27 (A = 0); -1 when the reference has no letters."""
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - ord("A") + 1
        elif "a" <= char <= "z":
            index = index * 26 + ord(char) - ord("a") + 1
        else:
            break
    return index - 1


class _SheetParser:
    """Expat handlers that keep one row at a time: its cells so far and the current cell."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._no_dtd
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.done: list[Row] = []
        self.row = 0
        self.cells: dict[int, Cell] = {}
        self.column = -1
        self.kind = "n"
        self.style = 0
        self.pieces: list[str] = []
        self.length = 0
        self.collecting = False
        self.in_cell = False
        self.in_inline = False
        self.phonetic = 0
        self.limit = limits.MAX_CELL_CHARS
        self.text_left = sheet.text_budget

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as error:
            raise WorkbookError(
                message("loader.sheet_damaged", error=str(error)), self.row
            ) from error

    def take(self) -> list[Row]:
        done, self.done = self.done, []
        return done

    def _no_dtd(self, *_: object) -> None:
        raise WorkbookError(message("loader.workbook_dtd"))

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        if name == "c":
            self._start_cell(attrs)
        elif name == "row":
            number = attrs.get("r", "")
            row = int(number) if number.isdigit() else self.row + 1
            if row <= self.row:
                raise WorkbookError(message("loader.sheet_rows_out_of_order"), row)
            if row > limits.XLSX_MAX_ROWS:
                raise WorkbookError(
                    message("loader.sheet_row_past_last", row=row, last=limits.XLSX_MAX_ROWS), row
                )
            self.row, self.cells, self.column = row, {}, -1
            self.limit = limits.MAX_HEADER_CELL_CHARS if row == 1 else limits.MAX_CELL_CHARS
        elif not self.in_cell:
            return
        elif name == "v" and not self.in_inline:
            self.collecting = True
        elif name == "is":
            self.in_inline = True
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and self.in_inline and not self.phonetic:
            self.collecting = True

    def _start_cell(self, attrs: dict[str, str]) -> None:
        reference = attrs.get("r", "")
        column = _column_index(reference) if reference else self.column + 1
        if column < 0:
            column = self.column + 1
        if column >= limits.XLSX_MAX_COLUMNS:
            raise WorkbookError(
                message(
                    "loader.sheet_column_past_last",
                    last=column_letters(limits.XLSX_MAX_COLUMNS - 1),
                ),
                self.row,
            )
        self.column = column
        width = self.sheet.width
        self.in_cell = width is None or column < width
        self.kind = attrs.get("t", "n")
        style = attrs.get("s", "0")
        self.style = int(style) if style.isdigit() else 0
        self.pieces, self.length = [], 0

    def _end(self, tag: str) -> None:
        name = _local(tag)
        if name == "c":
            if self.in_cell:
                value = self._value()
                if isinstance(value, str):
                    self._charge(len(value))
                if value is not None:
                    self.cells[self.column] = value
            self.in_cell = self.in_inline = self.collecting = False
        elif name == "row":
            self.done.append((self.row, self.cells))
            self.cells = {}
        elif name in ("v", "t"):
            self.collecting = False
        elif name == "is":
            self.in_inline = False
        elif name == "rPh" and self.phonetic:
            self.phonetic -= 1

    def _text(self, data: str) -> None:
        if not self.collecting:
            return
        self.length += len(data)
        if self.length > self.limit:
            self._too_long()
        self.pieces.append(data)

    def _charge(self, length: int) -> None:
        self.text_left -= length
        if self.text_left < 0:
            raise WorkbookError(
                message(
                    "loader.sheet_text_budget",
                    size=_mib(self.sheet.text_budget),
                    times=limits.XLSX_MAX_TEXT_EXPANSION,
                ),
                self.row,
                self.column,
            )

    def _too_long(self) -> None:
        key = "loader.header_cell_too_long" if self.row == 1 else "loader.cell_too_long"
        raise WorkbookError(
            message(key, limit=self.limit),
            self.row,
            self.column,
        )

    def _value(self) -> Cell | None:
        """The cell's value as openpyxl gives it in data-only mode."""
        text = "".join(self.pieces)
        kind = self.kind
        if kind == "inlineStr" or kind == "str":
            return text
        if not text:
            return None
        if kind == "s":
            try:
                value = self.sheet.texts[int(text)]
            except (ValueError, IndexError) as error:
                raise WorkbookError(
                    message("loader.workbook_missing_text", index=text),
                    self.row,
                    self.column,
                ) from error
            if len(value) > self.limit:
                self._too_long()
            return value
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "e":
            return text
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(text)
            except ValueError:
                return text
        return self._number(text)

    def _number(self, text: str) -> Cell:
        try:
            number: int | float = (
                float(text) if "." in text or "e" in text or "E" in text else int(text)
            )
        except ValueError:
            return text
        if self.style in self.sheet.date_styles:
            from openpyxl.utils.datetime import from_excel

            try:
                moment = from_excel(number, self.sheet.epoch)
            except (OverflowError, ValueError, TypeError):
                return number
            if isinstance(moment, dt.datetime):
                return moment
        return number
