"""Serialising query results with pyoxigraph's writers, cut after a number of rows.

pyoxigraph writes a whole result in one call; these writers watch the bytes go by, count
the rows in the format being written, and stop the writer right after the last row
allowed. The document is then closed properly and flagged as truncated.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from itertools import islice

import pyoxigraph as ox

from loaders.csvsafe import defuse_csv
from loaders.namespaces import RESULT_PREFIXES
from loaders.rdfformats import RDF_BY_KEY, RESULTS_BY_KEY

#: pyoxigraph's results format of each key (``loaders/rdfformats.py``).
RESULT_FORMATS = {key: syntax.oxigraph for key, syntax in RESULTS_BY_KEY.items()}


class _StopWritingError(Exception):
    """Raised by a writer to stop pyoxigraph once a row beyond the limit shows up."""


class RowWriter(io.RawIOBase):
    """A file-like sink that counts result rows as pyoxigraph writes them.

    Counting costs little while the rows cannot pass the limit: ``bound`` gives, with C-level
    byte counts, an upper bound of the rows a chunk may start. Once the bounds add up past the
    limit, ``scan`` reads the bytes exactly: it records where row ``limit`` ends (``end``) and
    reports whether a further row starts; then the writer stops pyoxigraph."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.rows = 0
        self.end: int | None = None
        self.truncated = False
        self.buffer = bytearray()
        self.bound_total = 0
        self.precise = False

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = bytes(data)
        offset = len(self.buffer)
        self.buffer += chunk
        if not self.precise:
            self.bound_total += self.bound(chunk)
            if self.bound_total <= self.limit:
                return len(chunk)
            self.precise = True  # from now on, read every byte, from the start
            chunk, offset = bytes(self.buffer), 0
        if self.scan(chunk, offset):
            self.truncated = True
            raise _StopWritingError
        return len(chunk)

    def row_ended(self, absolute: int) -> None:
        self.rows += 1
        if self.rows == self.limit:
            self.end = absolute

    def bound(self, chunk: bytes) -> int:
        """An upper bound of the rows that may start in the chunk."""
        raise NotImplementedError

    def count(self, document: bytes) -> int | None:
        """The rows of a whole document by byte counts, or None when they cannot tell."""
        return None

    def scan(self, chunk: bytes, offset: int) -> bool:
        """Count rows in the chunk; True when a row beyond the limit starts."""
        raise NotImplementedError

    def row_count(self) -> int:
        """The rows written (at most the limit)."""
        if not self.precise:
            document = bytes(self.buffer)
            counted = self.count(document)
            if counted is not None:
                return counted
            self.precise = True
            self.scan(document, 0)
        return min(self.rows, self.limit)

    def document(self) -> bytes:
        if not self.truncated or self.end is None:
            return bytes(self.buffer)
        return bytes(self.buffer[: self.end]) + self.closing()

    def closing(self) -> bytes:
        """Bytes that close a document cut after its last allowed row."""
        return b""


class TsvRows(RowWriter):
    """TSV: a header line, then one line per row (values never hold a raw newline)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.header = True

    def bound(self, chunk: bytes) -> int:
        return chunk.count(b"\n")

    def count(self, document: bytes) -> int | None:
        return max(document.count(b"\n") - 1, 0)

    def scan(self, chunk: bytes, offset: int) -> bool:
        start = 0
        while True:
            if self.end is not None and offset + start < len(self.buffer):
                return True  # anything after the last allowed row is a further row
            pos = chunk.find(b"\n", start)
            if pos < 0:
                return False
            start = pos + 1
            if self.header:
                self.header = False
            else:
                self.row_ended(offset + start)


class CsvRows(RowWriter):
    """CSV: rows end with CRLF outside double quotes (quoted values may hold newlines)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.header = True
        self.quoted = False

    def bound(self, chunk: bytes) -> int:
        return chunk.count(b"\n")

    def count(self, document: bytes) -> int | None:
        if b'"' in document:  # a quoted value may hold a line break
            return None
        return max(document.count(b"\n") - 1, 0)

    def scan(self, chunk: bytes, offset: int) -> bool:
        start = 0
        while True:
            if self.end is not None and offset + start < len(self.buffer):
                return True
            pos = chunk.find(b"\n", start)
            if pos < 0:
                self.quoted ^= chunk.count(b'"', start) % 2 == 1
                return False
            self.quoted ^= chunk.count(b'"', start, pos) % 2 == 1
            start = pos + 1
            if self.quoted:
                continue
            if self.header:
                self.header = False
            else:
                self.row_ended(offset + start)


class XmlRows(RowWriter):
    """SPARQL XML: each row is a <result> element (text content is escaped)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.tail = b""

    def bound(self, chunk: bytes) -> int:
        return chunk.count(b"<")

    def count(self, document: bytes) -> int | None:
        return document.count(b"<result>")  # text is escaped: "<" is markup only

    def scan(self, chunk: bytes, offset: int) -> bool:
        # carry a few bytes so a tag split across two writes is still seen
        data = self.tail + chunk
        base = offset - len(self.tail)
        start = 0
        while True:
            opening = data.find(b"<result>", start)
            closing = data.find(b"</result>", start)
            if opening >= 0 and (closing < 0 or opening < closing):
                if self.end is not None:
                    return True
                start = opening + len(b"<result>")
            elif closing >= 0:
                start = closing + len(b"</result>")
                self.row_ended(base + start)
            else:
                break
        self.tail = data[-8:]
        return False

    def closing(self) -> bytes:
        return b"</results></sparql>"


class JsonRows(RowWriter):
    """SPARQL JSON: a row is an object at depth 3 ({results {bindings [ {row} ] } }).

    Only the structural characters are looked at (quotes, backslashes, braces)."""

    _special = re.compile(rb'[\\"{}]')

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.depth = 0
        self.in_string = False
        self.escape = False

    def bound(self, chunk: bytes) -> int:
        return chunk.count(b"{")

    def count(self, document: bytes) -> int | None:
        """In a string every quote is escaped, so '{"' is always an object opening: the
        document's own three objects, each non-empty row and each value. A '{}' is an empty
        row, or text in a string: then the bytes are read one by one."""
        if b"{}" in document:
            return None
        return document.count(b'{"') - 3 - document.count(b'{"type":"')

    def scan(self, chunk: bytes, offset: int) -> bool:
        skip_to = 0
        if self.escape:
            self.escape = False
            skip_to = 1
        for m in self._special.finditer(chunk):
            pos = m.start()
            if pos < skip_to:
                continue
            c = chunk[pos]
            if self.in_string:
                if c == 0x5C:  # backslash: the next byte is escaped
                    if pos + 1 < len(chunk):
                        skip_to = pos + 2
                    else:
                        self.escape = True
                elif c == 0x22:
                    self.in_string = False
            elif c == 0x22:
                self.in_string = True
            elif c == 0x7B:  # {
                if self.depth == 2 and self.end is not None:
                    return True  # a row beyond the limit starts
                self.depth += 1
            elif c == 0x7D:  # }
                self.depth -= 1
                if self.depth == 2:
                    self.row_ended(offset + pos + 1)
        return False

    def document(self) -> bytes:
        """A cut document gets a top-level "truncated": true member, first (strict readers,
        pyoxigraph's among them, refuse members after the results)."""
        if not self.truncated or self.end is None:
            return bytes(self.buffer)
        return b'{"truncated":true,' + bytes(self.buffer[1 : self.end]) + b"]}}"


def _writer(key: str, limit: int) -> RowWriter:
    return {"json": JsonRows, "xml": XmlRows, "csv": CsvRows, "tsv": TsvRows}[key](limit)


def serialize_solutions(
    solutions: ox.QuerySolutions, key: str, limit: int
) -> tuple[bytes, int, bool]:
    """(bytes, rows, truncated) of SELECT results in the format ``key``."""
    writer = _writer(key, limit)
    try:
        solutions.serialize(writer, RESULT_FORMATS[key])  # type: ignore[arg-type]
    except (_StopWritingError, OSError) as exc:  # pyoxigraph may wrap the writer's exception
        if not writer.truncated:
            raise exc from None
    document = writer.document()
    if key == "csv":  # CSV only: TSV and JSON are not opened by spreadsheets as formulas
        document = defuse_csv(document)
    return document, writer.row_count(), writer.truncated


def serialize_boolean(result: ox.QueryBoolean, key: str) -> bytes:
    out = io.BytesIO()
    result.serialize(out, RESULT_FORMATS[key])
    return out.getvalue()


def serialize_triples(
    triples: Iterable[ox.Triple], key: str, limit: int, base_iri: str | None = None
) -> tuple[bytes, int, bool]:
    """(bytes, triples, truncated) of a graph result, cut after ``limit`` triples."""
    kept = list(islice(triples, limit + 1))
    truncated = len(kept) > limit
    kept = kept[:limit]
    out = io.BytesIO()
    syntax = RDF_BY_KEY[key]
    prefixes = RESULT_PREFIXES if syntax.prefixed else None
    ox.serialize(kept, out, syntax.oxigraph, prefixes=prefixes, base_iri=None)
    return out.getvalue(), len(kept), truncated
