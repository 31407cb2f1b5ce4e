"""Canonical text for a kind's cells: trimmed, coded values in English, a decimal point.

Types are not checked here (GX does that on the landed text); only the forms the landing contract
(docs/methodology.md, «Входные файлы») allows are brought to one spelling, so that
«Русский язык», «rus» and « RUS » land as the same code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

import pyarrow as pa
import pyarrow.compute as pc

from nro_pipeline.lib.contract.file_kinds import CODED_VALUES, ColumnType, FileKind, normalise_label

Converter = Callable[[object], str | None]
ArrayConverter = Callable[[pa.Array], pa.Array]
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_INTEGRAL_FLOAT = re.compile(r"^([+-]?\d+)[.,]0+$")
_LEVEL_ORDER = list(CODED_VALUES["level"])
_RUSSIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s*г\.?)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_MISSING = object()
# What str.strip() removes (str.isspace(), Python's Unicode tables): given to Arrow's trim as an
# explicit set because Arrow's own whitespace tables need not agree with Python's.
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _coded_lookup(domain: str) -> dict[str, str]:
    lookup = {}
    for canonical, russian_forms in CODED_VALUES[domain].items():
        lookup[normalise_label(canonical)] = canonical
        for form in russian_forms:
            lookup[normalise_label(form)] = canonical
    return lookup


class ValueNormaliser:
    """Canonical text for one kind's cells: trimmed, codes in English, decimal point.

    `converter(column)` returns a function specialised for one column: a national GIA file has
    tens of millions of cells, and looking the column up per cell cost more than converting it.
    """

    # Coded columns hold a handful of distinct values: remember each one's result, up to a bound
    # so that a file full of distinct junk in a coded column cannot grow the cache without limit.
    CACHE_LIMIT = 10_000

    def __init__(self, kind: FileKind) -> None:
        self.kind = kind
        self.coded = {c.name: _coded_lookup(c.coded) for c in kind.columns if c.coded}

    def __call__(self, column: str, value: object) -> str | None:
        return self.converter(column)(value)

    def converter(self, column: str) -> Converter:
        spec = self.kind.column(column)
        text_of = _text_reader(keep_float_integral=spec.type is not ColumnType.DECIMAL)
        coded = self.coded.get(column)
        if coded is not None:
            return _coded_converter(text_of, coded, spec.many, self.CACHE_LIMIT)
        if spec.type is ColumnType.DECIMAL:
            return _skip_empty(text_of, _decimal_point)
        if spec.type is ColumnType.DATE:
            return _date_converter(text_of)
        if spec.type is ColumnType.INTEGER:
            return _skip_empty(text_of, _integral)
        return _skip_empty(text_of, lambda text: text)

    def array_converter(self, column: str) -> ArrayConverter | None:
        """`converter(column)` over a whole Arrow array of text cells in one vectorised pass, for
        columns whose rule is only "trimmed, empty is null" (ids, names); None for the others.

        A participant id column holds millions of distinct values: converting each in Python
        cost more than reading the file.
        """
        spec = self.kind.column(column)
        if spec.type is ColumnType.TEXT and column not in self.coded:
            return plain_text_array
        return None


def _text_reader(keep_float_integral: bool) -> Callable[[object], str]:
    def text_of(value: object) -> str:
        if isinstance(value, float):
            # XLSX stores every number as a float: 12.0 is the count 12 or the code "12".
            return str(int(value)) if keep_float_integral and value.is_integer() else repr(value)
        return str(value).strip().replace("\u00a0", " ")

    return text_of


def plain_text_array(cells: pa.Array) -> pa.Array:
    """`_skip_empty(text_of, identity)` of every (text) cell: `str.strip()`, then no-break spaces
    as spaces, then an empty text is null."""
    text = pc.utf8_trim(cells, characters=PYTHON_WHITESPACE)
    if not pc.all(pc.string_is_ascii(text)).as_py():  # ASCII text has no no-break space
        text = pc.replace_substring(text, "\u00a0", " ")
    empty = pc.equal(text, "")
    if pc.any(empty).as_py():
        text = pc.if_else(empty, pa.scalar(None, pa.string()), text)
    return text


def _skip_empty(text_of: Callable[[object], str], finish: Callable[[str], str]) -> Converter:
    """None for an absent or empty cell, else `finish` of its text."""

    def convert(value: object) -> str | None:
        if value is None:
            return None
        text = text_of(value)
        return None if text == "" else finish(text)

    return convert


def _date_converter(text_of: Callable[[object], str]) -> Converter:
    """A date as ГГГГ-ММ-ДД: an XLSX date cell, «01.09.2024», «2024-09-01»; a text that is no
    calendar date stays as delivered (GX names it as unreadable)."""

    def convert(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, datetime | date):
            return (value.date() if isinstance(value, datetime) else value).isoformat()
        text = text_of(value)
        return None if text == "" else iso_date(text) or text

    return convert


def iso_date(text: str) -> str | None:
    """«01.09.2024» or «2024-09-01» → «2024-09-01»; None when the text is no calendar date."""
    if match := _RUSSIAN_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _decimal_point(text: str) -> str:
    if "," in text and _DECIMAL_COMMA.match(text):
        return text.replace(",", ".")
    return text


def _integral(text: str) -> str:
    if ("." in text or "," in text) and (match := _INTEGRAL_FLOAT.match(text)):
        return match.group(1)
    return text


def _coded_converter(
    text_of: Callable[[object], str], coded: dict[str, str], many: bool, cache_limit: int
) -> Converter:
    cache: dict[object, str | None] = {}

    def convert_coded(value: object) -> str | None:
        if value is None:
            return None
        if (hit := cache.get(value, _MISSING)) is not _MISSING:
            return hit  # type: ignore[return-value]
        text = text_of(value)
        if text == "":
            result = None
        elif many:
            result = _levels(text, coded)
        else:
            result = coded.get(normalise_label(text), text)
        if type(value) is str and len(cache) < cache_limit:
            cache[value] = result  # text only: True, 1 and 1.0 hash alike, render apart
        return result

    return convert_coded


def _levels(text: str, coded: dict[str, str]) -> str:
    parts = [p for p in re.split(r"[,;/ ]+", text) if p]
    mapped = [coded.get(normalise_label(p), p) for p in parts]
    known = sorted({m for m in mapped if m in _LEVEL_ORDER}, key=_LEVEL_ORDER.index)
    unknown = [m for m in mapped if m not in _LEVEL_ORDER]
    return ",".join(known + unknown)
