"""The metadata manifest: what a crawler knew about each file (CSV or JSONL).

Columns: id, file, outlet, url, published, language (title allowed too). A row applies to
the file it names (relative to the manifest's folder) or, for .jsonl records, to the
record with its id. Its values win over what the page or record says.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from redline.errors import InputError
from redline.ingest.readers import json_objects, without_surrogates

COLUMNS = ("id", "file", "outlet", "url", "published", "language", "title")
META_COLUMNS = ("outlet", "url", "published", "language", "title")


def parse_date(value: str) -> dt.date:
    """An ISO date, or the date part of an ISO timestamp."""
    value = value.strip()
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"published {value!r} is not an ISO date (YYYY-MM-DD)") from None


@dataclass
class Manifest:
    path: Path | None = None
    by_file: dict[Path, dict] = field(default_factory=dict)
    by_id: dict[str, dict] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)

    def row_for(self, path: Path, article_id: str) -> dict:
        return self.by_file.get(path.resolve()) or self.by_id.get(article_id) or {}

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        """Read a manifest; a manifest that cannot be used at all raises InputError."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError(path, "manifest not found") from None
        except UnicodeDecodeError as err:
            raise InputError(path, f"manifest is not valid UTF-8 (offset {err.start})") from None
        rows = cls._rows_jsonl(path, text) if path.suffix.lower() == ".jsonl" else cls._rows_csv(path, text)
        manifest = cls(path=path)
        for number, row in rows:
            manifest._add(number, row)
        return manifest

    @staticmethod
    def _check_columns(path: Path, columns, line: int | None = None) -> None:
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown:
            raise InputError(
                path, f"unknown manifest column(s) {', '.join(map(str, unknown))} (allowed: {', '.join(COLUMNS)})", line
            )

    @classmethod
    def _rows_csv(cls, path: Path, text: str) -> list[tuple[int, dict]]:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            raise InputError(path, "empty manifest (no header row)")
        cls._check_columns(path, [c.strip() for c in reader.fieldnames])
        rows = []
        for row in reader:
            if None in row:
                raise InputError(path, "more values than columns", line=reader.line_num)
            rows.append((reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items()}))
        return rows

    @classmethod
    def _rows_jsonl(cls, path: Path, text: str) -> list[tuple[int, dict]]:
        rows = []
        for number, row in json_objects(path, text):
            if isinstance(row, InputError):
                raise row  # a manifest with a broken line cannot be trusted for the others
            row, _ = without_surrogates(row)  # as in articles' records (nothing downstream takes them)
            cls._check_columns(path, list(row), line=number)
            rows.append((number, {k: ("" if v is None else str(v)).strip() for k, v in row.items()}))
        return rows

    def _add(self, number: int, row: dict) -> None:
        meta = {k: row[k] for k in META_COLUMNS if row.get(k)}
        if "published" in meta:
            try:
                meta["published"] = parse_date(meta["published"])
            except ValueError as err:
                self.errors.append(InputError(self.path, str(err), line=number))
                del meta["published"]
        if not row.get("file") and not row.get("id"):
            self.errors.append(InputError(self.path, "row names neither `file` nor `id`", line=number))
            return
        if row.get("file"):
            file = (self.path.parent / row["file"]).resolve()
            if not file.exists():
                self.errors.append(InputError(self.path, f"file {row['file']} not found", line=number))
            self.by_file[file] = meta | ({"id": row["id"]} if row.get("id") else {})
        if row.get("id"):
            self.by_id[row["id"]] = meta
