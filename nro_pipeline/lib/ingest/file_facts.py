"""One streaming pass over a landing file's bytes: identity, size and how its text is encoded.

The usual file, valid UTF-8, is hashed and validated in a quick pass; a file that is not (Windows-
1251, damaged, binary) is read once more by the full pass that counts what the rule below needs.

The encoding rule (UTF-8 with or without BOM, or Windows-1251: docs/methodology.md,
«Входные файлы»):
- valid UTF-8 throughout → UTF-8;
- NUL bytes → binary, not text;
- invalid UTF-8 sequences but more valid multi-byte UTF-8 characters than invalid sequences →
  a UTF-8 file with damaged bytes. Refused, not repaired: we cannot know what the bytes were
  (a school id or name could change silently), and reading it as Windows-1251 would turn every
  Cyrillic letter into mojibake. The message names the first damaged row.
- otherwise → Windows-1251 (its Cyrillic letters are almost never valid UTF-8), unless it has a
  byte Windows-1251 does not define (0x98).
UTF-8 text with mojibake (text once decoded with the wrong code page and saved again) is refused
too: it is readable but wrong (looked for in the first 4 MiB).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

_HASH_CHUNK = 1 << 20
# UTF-8 text that was once decoded as Windows-1251 and saved again: every Cyrillic letter becomes
# «Р» or «С» followed by a character of the Windows-1251 range 0x80–0xBF («РљРѕРґ» for «Код»).
# Three such pairs in a row never occur in real Russian text.
_MOJIBAKE = re.compile(
    "(?:[РС][" + re.escape(bytes(range(0x80, 0xC0)).decode("cp1251", errors="ignore")) + "]){3,}"
)
_MOJIBAKE_SCAN_BYTES = 4 << 20
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class FileFacts:
    """What one streaming pass over the bytes tells: identity, size and how the text is encoded.

    Computed before anything is read or archived, so that the archive, the "same content as last
    time" skip and the reader all work from one pass. It never raises for bad content: the reader
    turns `problem` into a LandingError, while the archive still keeps what arrived.
    """

    content_hash: str
    size_bytes: int
    encoding: str | None  # utf-8 | utf-8-sig | cp1251 | None (binary or undecidable)
    problem: str | None = None  # why the bytes are not usable text, in plain words
    line_count: int = 0  # lines ended by \n (a last line without one counts too)


class _NeedsFullScan(Exception):
    """The quick pass met a byte that is not plain UTF-8 text (an invalid sequence or a NUL)."""


@dataclass
class _ByteScan:
    """The running state of the pass: counts that decide the encoding, and where problems are.

    `strict`: the quick pass for the usual file, valid UTF-8 without NUL bytes. It only hashes,
    validates and looks for mojibake, and raises `_NeedsFullScan` at the first byte that needs
    the counts below; the full pass then starts over (its verdicts need the whole file's counts).
    """

    strict: bool = False
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    decoder: codecs.IncrementalDecoder = field(init=False)
    size: int = 0
    valid_multibyte: int = 0
    invalid: int = 0
    lines_before: int = 0
    newlines: int = 0
    binary: bool = False
    undefined_1251: bool = False
    first_bad: tuple[int, str] | None = None
    mojibake: tuple[int, str] | None = None
    head: bytes = b""
    last_byte: bytes = b""

    def __post_init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict" if self.strict else "replace")

    def feed(self, chunk: bytes) -> None:
        if not self.head:
            self.head = chunk[:4]
        self.newlines += chunk.count(b"\n")
        self.last_byte = chunk[-1:]
        self.digest.update(chunk)
        self.size += len(chunk)
        self.binary = self.binary or b"\x00" in chunk
        if self.strict:
            if self.binary:
                raise _NeedsFullScan
            self._validate(chunk)
            return
        self.undefined_1251 = self.undefined_1251 or b"\x98" in chunk
        if not self.binary:
            self._decode(chunk)

    def _validate(self, chunk: bytes) -> None:
        try:
            text = self.decoder.decode(chunk)
        except UnicodeDecodeError as error:
            raise _NeedsFullScan from error
        if self.mojibake is None and self.size <= _MOJIBAKE_SCAN_BYTES:
            self._look_for_mojibake(text)
            self.lines_before += text.count("\n")  # only mojibake's row number needs it here

    def _look_for_mojibake(self, text: str) -> None:
        # Every match starts with «Р» or «С»: text without either (ASCII ids and codes) is skipped
        # without running the regex, the slow part of the pass.
        if ("Р" in text or "С" in text) and (found := _MOJIBAKE.search(text)):
            at = found.start()
            self.mojibake = (self.lines_before + text.count("\n", 0, at) + 1, found.group(0)[:24])

    def _decode(self, chunk: bytes) -> None:
        text = self.decoder.decode(chunk)
        # U+FFFD marks an invalid sequence, unless the file itself holds a (valid) U+FFFD.
        bad = max(text.count("\ufffd") - chunk.count(b"\xef\xbf\xbd"), 0)
        self.valid_multibyte += len(text) - len(text.encode("ascii", "ignore")) - bad
        if bad and self.first_bad is None:
            at = text.index("\ufffd")
            self.first_bad = (self.lines_before + text.count("\n", 0, at) + 1, _around(text, at))
        self.invalid += bad
        # A file is re-saved with the wrong code page as a whole, so its start shows it; the
        # regex is the slow part of this pass, hence only the first chunks.
        if self.mojibake is None and self.size <= _MOJIBAKE_SCAN_BYTES:
            self._look_for_mojibake(text)
        self.lines_before += text.count("\n")

    def finish(self) -> None:
        if self.binary:
            return
        if self.strict:
            try:
                self.decoder.decode(b"", final=True)  # a character cut off at the end
            except UnicodeDecodeError as error:
                raise _NeedsFullScan from error
            return
        if "\ufffd" in self.decoder.decode(b"", final=True):
            self.invalid += 1
            self.first_bad = self.first_bad or (self.lines_before + 1, "end of file")


def inspect_file(path: Path) -> FileFacts:
    """SHA-256, size, and the text encoding (or why there is none; see the module)."""
    try:
        scan = _scan(path, strict=True)
    except _NeedsFullScan:
        scan = _scan(path, strict=False)
    encoding, problem = _encoding(scan)
    line_count = scan.newlines + (1 if scan.last_byte not in (b"", b"\n") else 0)
    return FileFacts(scan.digest.hexdigest(), scan.size, encoding, problem, line_count)


def _scan(path: Path, strict: bool) -> _ByteScan:
    scan = _ByteScan(strict=strict)
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            scan.feed(chunk)
    scan.finish()
    return scan


def _encoding(scan: _ByteScan) -> tuple[str | None, str | None]:
    """The encoding the scan points to, or None and the problem in plain words."""
    if scan.binary:
        if scan.head == _ZIP_MAGIC:
            return None, "an XLSX workbook (zip) with a .csv name; rename it to .xlsx"
        return None, "binary content, not a text CSV"
    if scan.invalid == 0:
        encoding = "utf-8-sig" if scan.head.startswith(codecs.BOM_UTF8) else "utf-8"
        if scan.mojibake is None:
            return encoding, None
        row, sample = scan.mojibake
        return encoding, (
            f"row {row}: «{sample}…» is garbled text (UTF-8 once read as "
            "Windows-1251 and saved again); re-export the file from the source system"
        )
    if scan.valid_multibyte > scan.invalid:
        row, context = scan.first_bad or (1, "")
        return None, (
            f"row {row}: bytes that are not valid UTF-8 (shown as �: «{context}») in a file "
            f"that is otherwise UTF-8 ({scan.invalid} damaged sequence(s)); it was not loaded "
            "because the damaged characters cannot be recovered; re-export or repair the file"
        )
    if scan.undefined_1251:
        return None, "the text is neither UTF-8 nor Windows-1251"
    return "cp1251", None


def _around(text: str, at: int, width: int = 20) -> str:
    start = max(text.rfind("\n", 0, at) + 1, at - width)
    end = text.find("\n", at)
    end = min(end if end >= 0 else len(text), at + width)
    return text[start:end].strip()
