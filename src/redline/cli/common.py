"""What every command shares: the consoles, the options, the settings, how a user's mistake and
a list are rendered."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Callable, Optional

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from redline.app import Redline
from redline.config import Settings
from redline.errors import BadFile, UserError

out = Console(highlight=False, soft_wrap=True)  # long lines (paths, errors) stay whole
err = Console(stderr=True, highlight=False, soft_wrap=True)
_db_in_use: list[str] = []  # the database file of this command, for the message of a damaged one


class Commands(TyperGroup):
    """Every command, with a user's mistake and a database file that cannot be read each
    rendered in one line, exit code 2 (NotFound: 1). DuckDB opens a truncated or damaged file
    and fails only when a command reads the part that is missing, anywhere in any command."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as e:
            err.print(f"error: {e}", markup=False)
            raise typer.Exit(e.exit_code) from None
        except duckdb.Error as e:
            damaged = isinstance(e, duckdb.IOException) or "corrupt" in str(e).lower()
            err.print(f"error: {_db_in_use[0] if _db_in_use else 'database'}: "
                      + ("the database file is damaged or truncated: " if damaged else "database error: ")
                      + " ".join(str(e).split()), markup=False)
            raise typer.Exit(2) from None


DbOption = typer.Option(None, "--db", help="Database file (default: `db` in redline.yaml, else ./redline.duckdb).")
ConfigOption = typer.Option(None, "--config", help="Settings file (default: ./redline.yaml when present).")
JsonOption = typer.Option(False, "--json", help="Print the records as JSON.")
CsvOption = typer.Option(False, "--csv", help="Print the records as CSV (lists and records in a cell as JSON).")
OffsetOption = typer.Option(0, min=0, help="Skip this many first: the next page (--limit 50 --offset 50).")


def redline_for(config: Optional[Path], db: Optional[Path]) -> Redline:
    try:
        settings = Settings.load(config)
    except (OSError, ValueError) as e:
        raise BadFile(str(e)) from None
    if db:
        settings.db = str(db)
    _db_in_use[:] = [settings.db]
    return Redline(settings)


def emit(found: dict, json_out: bool, csv_out: bool, text: Callable[[list[dict]], None]) -> None:
    """A page of records: as JSON, CSV or `text`; then, on stderr, "showing 50 of 82" when cut,
    "showing 51-82 of 82" for a page after the first."""
    items = found["items"]
    if json_out:
        out.print(json.dumps(items, ensure_ascii=False, default=str, indent=1), markup=False)
    elif csv_out:
        out.print(to_csv(items), markup=False, end="")
    else:
        text(items)
    first, total = found["offset"], found["total"]
    if first:
        err.print(f"showing {first + 1 if items else first}-{first + len(items)} of {total} (use --limit and --offset)")
    elif total > len(items):
        err.print(f"showing {len(items)} of {total} (use --limit)")


def to_csv(items: list[dict]) -> str:
    cell = lambda v: "" if v is None else json.dumps(v, ensure_ascii=False, default=str) \
        if isinstance(v, (list, dict)) else str(v)  # noqa: E731
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = list(dict.fromkeys(k for item in items for k in item))
    writer.writerow(columns)
    writer.writerows([cell(item.get(c)) for c in columns] for item in items)
    return buffer.getvalue()


def print_columns(header: tuple[str, ...], rows: list[tuple[str, ...]], last_max: int = 60) -> None:
    """Plain aligned columns: whole ids and dates in a pipe or a narrow terminal alike."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header[:-1])]
    for row in [header] + rows:
        last = row[-1] if len(row[-1]) <= last_max else row[-1][: last_max - 1] + "…"
        out.print("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + last, markup=False)


def actors_text(actors: list[dict] | None) -> str:
    return ", ".join(f"{a['name']} ({a['country'] or '?'}{' ' + a['sector'] if a['sector'] else ''})" for a in actors or []) or "-"


def update_stories(rl: Redline, quiet: bool, if_stale: bool, rebuild: bool = False) -> None:
    """The stories stage (and with it the search index), with a progress bar: the new articles
    placed, or all of them with `rebuild`."""
    progress = Progress(TextColumn("[bold]stories"), BarColumn(), MofNCompleteColumn(), TextColumn("articles"),
                        TimeElapsedColumn(), console=err, disable=quiet)
    task = progress.add_task("stories", total=None)
    with progress:
        try:
            result = rl.update_stories(rebuild, if_stale, on_progress=lambda done, total: progress.update(task, completed=done, total=total))
        except KeyboardInterrupt:
            err.print("interrupted: the previous stories are kept; the next `redline ingest` places the new articles.")
            raise typer.Exit(130)
    if result and not quiet:
        how = f"rebuilt ({result.reason})" if result.rebuilt else f"{result.placed} new articles placed"
        out.print(f"stories: {how}; {result.copies} copies or rewrites, {result.happenings} happenings in "
                  f"{result.stories} running stories, {result.merged_events} merged events")



def update_provenance(rl: Redline, quiet: bool, rebuild: bool = False) -> None:
    """The provenance stage (new quotes graded, or all again with `rebuild`), with a progress bar."""
    progress = Progress(TextColumn("[bold]provenance"), BarColumn(), MofNCompleteColumn(), TextColumn("quotes"),
                        TimeElapsedColumn(), console=err, disable=quiet)
    task = progress.add_task("provenance", total=None)
    with progress:
        try:
            graded = rl.update_provenance(rebuild, on_progress=lambda done, total: progress.update(task, completed=done, total=total))
        except KeyboardInterrupt:
            err.print("interrupted: the quotes graded so far are kept; run `redline provenance` to grade the rest.")
            raise typer.Exit(130)
    if graded and not quiet:
        unchecked, total = graded.get("none", 0), sum(graded.values())
        grades = ", ".join(f"{n} {g}" for g, n in sorted(graded.items(), key=lambda kv: -kv[1]) if g != "none")
        line = (f"{total} quotes checked against their speakers' record: {grades}"
                + (f"; {unchecked} with no primary source to compare" if unchecked else "")) if grades else \
            f"{total} quotes, none with a primary source of its speaker to compare (a transcript or an earlier quote)"
        out.print(f"provenance: {line}", markup=False)
