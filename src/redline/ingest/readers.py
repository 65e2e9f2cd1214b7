"""Read input files into raw articles: .txt, .html/.htm (optionally .gz), .jsonl.

Readers only decode and split; they never clean. Each problem becomes an `InputError`
naming the file (and line), yielded in place of the article so that the other articles
of the same file and run go on.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import charset_normalizer

from redline.config import Settings
from redline.errors import InputError

TEXT_SUFFIXES = {".txt": "txt", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
# Formats whose articles are records (a manifest row applies by id, not by file).
RECORD_FORMATS = ("jsonl", "feed", "upload")
JSONL_FIELDS = {"id", "url", "title", "outlet", "published", "language", "text", "html", "kind"}
# `kind`: what the record is. A transcript is read as one whatever the field says, from its
# speaker-labelled turns (redline.transcripts); the field is checked, so that a typo is seen.
RECORD_KINDS = ("article", "transcript")
UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
STRAY_BYTE = re.compile("[\udc80-\udcff]")
# In a Python string every surrogate is a lone one (a pair decodes to one character): half of a
# character, such as an emoji cut in two by a "\ud83d" JSON escape. Nothing downstream takes it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


@dataclass
class RawArticle:
    id: str
    path: Path | str       # the file, or the URL a page was fetched from
    format: str            # txt | html | jsonl | feed
    content: str           # plain text, or HTML when `is_html`
    is_html: bool
    meta: dict = field(default_factory=dict)  # metadata the record itself carries (jsonl)
    line: int | None = None                  # line of a .jsonl file
    note: str | None = None                  # how the bytes were read, when not plain UTF-8

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


def input_format(path: Path) -> str | None:
    """'txt', 'html' or 'jsonl' for a supported file name (a trailing .gz allowed), else None."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return TEXT_SUFFIXES.get(suffixes[-1]) if suffixes else None


def article_id_for(path: Path) -> str:
    """The file name without its extensions: `ab12.html.gz` -> `ab12`."""
    name = path.name
    for _ in range(2):
        stem, dot, ext = name.rpartition(".")
        if dot and ("." + ext.lower() in TEXT_SUFFIXES or ext.lower() == "gz"):
            name = stem
    return name


def discover(paths: list[Path]) -> tuple[list[Path], list[InputError]]:
    """Supported files under `paths` (folders recursively, in name order)."""
    files: list[Path] = []
    errors: list[InputError] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*")
                if p.is_file() and input_format(p) and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            if input_format(path):
                files.append(path)
            else:
                errors.append(InputError(path, "unsupported file type (expected .txt, .html, .htm, .jsonl, optionally .gz)"))
        else:
            errors.append(InputError(path, "no such file or folder"))
    return list(dict.fromkeys(files)), errors


def read_bytes(path: Path, settings: Settings) -> bytes:
    size = path.stat().st_size
    if size > settings.max_file_bytes:
        raise InputError(path, f"file is {size:,} bytes, over the limit of {settings.max_file_bytes:,} (max_file_bytes)")
    data = path.read_bytes()
    if path.suffix.lower() != ".gz":
        return data
    # Decompress in steps so that a gzip bomb is refused before it fills the memory.
    limit = settings.max_decompressed_bytes
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as err:
        raise InputError(path, f"corrupt gzip data ({err})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise InputError(path, f"decompresses to more than {limit:,} bytes (max_decompressed_bytes)")
    if not inflater.eof:
        raise InputError(path, "truncated gzip file (compressed stream ends early)")
    return out


# Legacy encodings tried when a file is not UTF-8. Windows-1252 first: it is what the web
# means by "Latin-1", and it wins ties with Windows-1250, which reads the same bytes for most text.
LEGACY_ENCODINGS = ["cp1252", "cp1251", "koi8_r", "cp1250", "iso8859_7", "cp1256", "cp1255"]
MIN_NUL_SHARE_UTF16 = 0.9


def decode(data: bytes, path: Path, html: bool = False) -> tuple[str, str | None]:
    """Text of a file, and a note when it was not plain UTF-8.

    UTF-8 (BOM allowed); UTF-16 with or without a BOM; an HTML page's declared charset;
    UTF-8 with stray Windows-1252 bytes (pasted-together text); else a single-byte legacy
    encoding chosen by charset-normalizer among `LEGACY_ENCODINGS`, noted as a guess.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, repaired = without_surrogates(data.decode("utf-16", errors="surrogatepass"))
        except UnicodeDecodeError as err:
            raise InputError(path, f"invalid UTF-16 ({err.reason} at byte {err.start})") from None
        return text, surrogates_note(repaired)
    if b"\x00" in data[:8192]:
        text, repaired = without_surrogates(decode_utf16_without_bom(data, path))
        return text, "; ".join(filter(None, ["no byte-order mark: read as UTF-16", surrogates_note(repaired)]))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        first_bad = err.start
    declared = META_CHARSET.search(data[:4096]) if html else None
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii")), None
        except (LookupError, UnicodeDecodeError):
            pass
    escaped = data.decode("utf-8-sig", errors="surrogateescape")  # each refused byte -> U+DC80..U+DCFF
    stray = len(STRAY_BYTE.findall(escaped))
    if len(UTF8_MULTIBYTE.findall(data)) >= stray:
        # Mostly UTF-8 with a few bytes of another encoding: text pasted together from two sources.
        text = STRAY_BYTE.sub(lambda m: bytes([ord(m[0]) - 0xDC00]).decode("cp1252", errors="replace"), escaped)
        return text, f"mixed encodings: {stray} byte(s) that are not UTF-8 read as Windows-1252"
    guesses = charset_normalizer.from_bytes(data, cp_isolation=LEGACY_ENCODINGS)
    if not guesses:
        raise InputError(
            path, f"not valid UTF-8 (byte 0x{data[first_bad]:02x} at offset {first_bad}) and no known "
            "encoding fits; re-encode the file as UTF-8"
        )
    least_chaos = min(g.chaos for g in guesses)
    best = min((g for g in guesses if g.chaos == least_chaos), key=lambda g: LEGACY_ENCODINGS.index(g.encoding))
    text = str(best)
    # charset-normalizer keeps one of several encodings that read the bytes alike: name the commonest.
    encoding = next((e for e in LEGACY_ENCODINGS if data.decode(e, errors="replace") == text), best.encoding)
    return text, f"not UTF-8: read as {encoding} (a guess; re-encode the file as UTF-8 to be sure)"


def decode_utf16_without_bom(data: bytes, path: Path) -> str:
    """Text with NUL bytes is UTF-16 when they fill every other byte (mostly ASCII text); else binary."""
    even, odd = data[0::2], data[1::2]
    for zeros, codec in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if len(data) % 2 == 0 and zeros and zeros.count(0) / len(zeros) >= MIN_NUL_SHARE_UTF16:
            try:
                return data.decode(codec, errors="surrogatepass")  # lone surrogates: see `without_surrogates`
            except UnicodeDecodeError:
                break
    raise InputError(path, "binary file, not text (NUL bytes)")


def without_surrogates(value):
    """A text, or a JSON value, with each lone UTF-16 surrogate replaced by U+FFFD; and how many."""
    if isinstance(value, str):
        return LONE_SURROGATE.subn("\ufffd", value)
    if isinstance(value, (dict, list)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        repaired = [(key, *without_surrogates(item)) for key, item in items]
        count = sum(n for _, _, n in repaired)
        if isinstance(value, dict):
            return {without_surrogates(key)[0]: item for key, item, _ in repaired}, count
        return [item for _, item, _ in repaired], count
    return value, 0


def surrogates_note(count: int) -> str | None:
    return f"{count} lone UTF-16 surrogate(s) (half a character, such as an emoji cut in two) replaced by U+FFFD" \
        if count else None


def read_file(path: Path, settings: Settings) -> Iterator[RawArticle | InputError]:
    """The articles in one file, or the errors that stop them."""
    fmt = input_format(path)
    try:
        data = read_bytes(path, settings)
        text, note = decode(data, path, html=fmt == "html")
        if fmt == "jsonl":
            for item in read_jsonl(path, text):
                if isinstance(item, RawArticle):
                    item.note = "; ".join(filter(None, [note, item.note])) or None
                yield item
            return
        if not text.strip():
            raise InputError(path, "empty file")
        yield RawArticle(article_id_for(path), path, fmt, text, is_html=fmt == "html", note=note)
    except InputError as err:
        yield err
    except OSError as err:
        yield InputError(path, f"cannot read ({err.strerror or err})")


def json_objects(path: Path, text: str) -> Iterator[tuple[int, dict | InputError]]:
    """(line number, object) for each non-blank line of JSON Lines text; an InputError for a bad one."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            yield number, InputError(path, f"invalid JSON ({err.msg} at column {err.colno})", line=number)
            continue
        yield number, value if isinstance(value, dict) else InputError(path, "a line must hold a JSON object", line=number)


def read_jsonl(path: Path, text: str) -> Iterator[RawArticle | InputError]:
    if not text.strip():
        yield InputError(path, "empty file")
        return
    for number, record in json_objects(path, text):
        yield record if isinstance(record, InputError) else record_article(path, record, line=number)


def record_article(path: Path | str, record: dict, line: int | None = None, source_format: str = "jsonl") -> RawArticle | InputError:
    """One JSON record (a line of a .jsonl file, or an upload) as an article, or what is wrong with it."""
    record, repaired = without_surrogates(record)
    unknown = sorted(set(record) - JSONL_FIELDS)
    if unknown:
        return InputError(path, f"unknown field(s) {', '.join(unknown)} (expected {', '.join(sorted(JSONL_FIELDS))})", line=line)
    article_id = record.get("id")
    if not isinstance(article_id, str) or not article_id.strip():
        return InputError(path, "missing or empty `id`", line=line)
    if record.get("kind") is not None and record["kind"] not in RECORD_KINDS:
        return InputError(path, f"article {article_id}: unknown kind {record['kind']!r} (one of {', '.join(RECORD_KINDS)})", line=line)
    body, is_html = (record.get("text"), False) if record.get("text") else (record.get("html"), True)
    if not isinstance(body, str) or not body.strip():
        return InputError(path, f"article {article_id}: no `text` or `html`", line=line)
    meta = {k: record[k] for k in ("url", "title", "outlet", "published", "language") if record.get(k)}
    return RawArticle(article_id.strip(), path, source_format, body, is_html=is_html, meta=meta, line=line,
                      note=surrogates_note(repaired))
