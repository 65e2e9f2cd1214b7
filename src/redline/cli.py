"""The `redline` command: parse the arguments, call `redline.app.Redline`, render the answer.

A user's mistake (`redline.errors.UserError`: an unknown country, a file that is not what the
option takes, ...) is rendered once, by `Commands`: one line `error: ...`, exit code 2.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Optional

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from redline.app import Redline
from redline.config import Settings
from redline.errors import BadFile, InputError, UserError, describe
from redline.export import DATASETS, FORMATS
from redline.export import export as export_dataset

SUMMARY_FAILURES = 20  # failed articles `redline summary` lists one by one

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


app = typer.Typer(
    cls=Commands,
    help="Redline: who did what to whom, from news text, with the evidence sentence for each.",
    no_args_is_help=True,
    add_completion=False,
)

DbOption = typer.Option(None, "--db", help="Database file (default: `db` in redline.yaml, else ./redline.duckdb).")
ConfigOption = typer.Option(None, "--config", help="Settings file (default: ./redline.yaml when present).")
JsonOption = typer.Option(False, "--json", help="Print the records as JSON.")
CsvOption = typer.Option(False, "--csv", help="Print the records as CSV (lists and records in a cell as JSON).")


def main() -> None:
    app(prog_name="redline")


def _redline(config: Optional[Path], db: Optional[Path]) -> Redline:
    try:
        settings = Settings.load(config)
    except (OSError, ValueError) as e:
        raise BadFile(str(e)) from None
    if db:
        settings.db = str(db)
    _db_in_use[:] = [settings.db]
    return Redline(settings)


def _emit(found: dict, json_out: bool, csv_out: bool, text: Callable[[list[dict]], None]) -> None:
    """A page of records: as JSON, CSV or `text`; then, on stderr, "showing 50 of 82" when cut."""
    items = found["items"]
    if json_out:
        out.print(json.dumps(items, ensure_ascii=False, default=str, indent=1), markup=False)
    elif csv_out:
        out.print(_csv(items), markup=False, end="")
    else:
        text(items)
    if found["total"] > found["offset"] + len(items):
        err.print(f"showing {len(items)} of {found['total']} (use --limit)")


def _csv(items: list[dict]) -> str:
    cell = lambda v: "" if v is None else json.dumps(v, ensure_ascii=False, default=str) \
        if isinstance(v, (list, dict)) else str(v)  # noqa: E731
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = list(dict.fromkeys(k for item in items for k in item))
    writer.writerow(columns)
    writer.writerows([cell(item.get(c)) for c in columns] for item in items)
    return buffer.getvalue()


def _print_columns(header: tuple[str, ...], rows: list[tuple[str, ...]], last_max: int = 60) -> None:
    """Plain aligned columns: whole ids and dates in a pipe or a narrow terminal alike."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header[:-1])]
    for row in [header] + rows:
        last = row[-1] if len(row[-1]) <= last_max else row[-1][: last_max - 1] + "…"
        out.print("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + last, markup=False)


def _actors_text(actors: list[dict] | None) -> str:
    return ", ".join(f"{a['name']} ({a['country'] or '?'}{' ' + a['sector'] if a['sector'] else ''})" for a in actors or []) or "-"


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(None, help="Files or folders (.txt, .html, .htm, .jsonl, optionally .gz)."),
    feed: list[str] = typer.Option([], "--feed", help="An RSS or Atom feed (URL or file) whose linked pages to fetch and ingest; repeatable."),
    every: Optional[str] = typer.Option(None, "--every", help="With --feed: poll again at this interval (30s, 10m, 2h) until Ctrl-C."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", help="CSV or JSONL metadata: id,file,outlet,url,published,language."),
    furniture: list[Path] = typer.Option([], "--furniture", help="Extra furniture patterns (YAML, like data/furniture.yaml)."),
    actors: list[Path] = typer.Option([], "--actors", help="Extra actor dictionary (YAML, like data/people.yaml)."),
    rules: list[Path] = typer.Option([], "--rules", help="Extra event rules (YAML, like data/events.yaml)."),
    force: bool = typer.Option(False, "--force", help="Re-process articles even when they are already stored."),
    workers: int = typer.Option(0, "--workers", help="Processes parsing in parallel (default: one per core); with --engine dask, the LocalCluster's workers."),
    engine: str = typer.Option("local", "--engine", help="local (this machine) or dask (the map stage on a Dask cluster)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (default: a LocalCluster)."),
    parquet: Optional[Path] = typer.Option(None, "--parquet", help="With --engine dask: keep the Parquet partitions in this folder."),
    load: bool = typer.Option(True, "--load/--no-load", help="With --engine dask: load the partitions into the database (or only write them)."),
    stories: bool = typer.Option(True, "--stories/--no-stories", help="Rebuild copies, stories and happenings when anything new was stored (or a stopped run left them out of date)."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Try again the articles a stage failed on in earlier runs (otherwise skipped while unchanged): those among PATHs or --feed, or all of them, as first read, when neither is given."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or summary; errors only."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Read articles, strip page furniture, parse, and store them (re-running is safe)."""
    from redline.ingest.feeds import parse_every

    rl = _redline(config, db).add_files(actors, rules)
    loaded = rl.manifest(manifest)
    rl.check_ingest(paths, feed, retry_failed, engine, every)
    try:
        interval = parse_every(every) if every else None
    except ValueError as e:
        raise UserError(str(e)) from None

    def run_once():
        progress = Progress(
            TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
            TextColumn("{task.fields[stored]} stored"), TimeElapsedColumn(),
            console=err, disable=quiet, transient=False,
        )
        task = progress.add_task("ingest", total=None, stored=0)
        counts = Counter()

        def on_progress(event: str, detail: str) -> None:
            if event == "files":
                progress.update(task, total=int(detail))
            elif event == "file-done":
                progress.advance(task)
            elif event == "stored":
                counts["stored"] += 1
                progress.update(task, stored=counts["stored"])
            elif event == "error":
                err.print(f"error: {detail}", markup=False)  # with --quiet too: "errors only"

        with progress:
            try:
                report = rl.ingest(paths, feed, retry_failed, loaded, furniture, force, engine, workers, scheduler,
                                   parquet, load, on_progress)
            except KeyboardInterrupt:
                err.print("interrupted: what was stored is complete; run the same command again to finish.")
                raise typer.Exit(130)
        if stories:
            _rebuild_stories(rl, quiet, if_stale=True)
        if not quiet:
            for note in report.notes:
                out.print(f"note: {note}", markup=False)
            skipped = f"{len(report.failed_before)} failed before (skipped), " if report.failed_before else ""
            out.print(f"{len(report.stored)} stored, {len(report.unchanged)} already stored, {skipped}"
                      f"{len(report.errors)} error(s) -> {rl.settings.db}")
        return report

    if interval is None:
        if run_once().failed:
            raise typer.Exit(1)
        return
    while True:
        try:  # whatever fails in one poll (a feed, the network, the database busy) is one line
            run_once()
        except typer.Exit as e:
            if e.exit_code == 130:
                raise
        except Exception as e:  # noqa: BLE001 - the poller outlives any one poll
            err.print(f"error: this poll failed ({describe(e)}); polling again in {every}", markup=False)
        try:
            if not quiet:
                err.print(f"next poll in {every} (Ctrl-C stops)")
            time.sleep(interval)
        except KeyboardInterrupt:
            raise typer.Exit(0)


def _rebuild_stories(rl: Redline, quiet: bool, if_stale: bool) -> None:
    """The stories stage (and with it the search index) over the whole database, with a progress bar."""
    progress = Progress(TextColumn("[bold]stories"), BarColumn(), MofNCompleteColumn(), TextColumn("articles"),
                        TimeElapsedColumn(), console=err, disable=quiet)
    task = progress.add_task("stories", total=None)
    with progress:
        try:
            result = rl.rebuild_stories(if_stale, on_progress=lambda done, total: progress.update(task, completed=done, total=total))
        except KeyboardInterrupt:
            err.print("interrupted: the previous stories are kept; run `redline stories` to rebuild them.")
            raise typer.Exit(130)
    if result and not quiet:
        levels = Counter(s["level"] for s in result.stories)
        out.print(f"stories: {len(result.lineage)} copies or rewrites, {levels['happening']} happenings in "
                  f"{levels['story']} running stories, {len(result.happenings)} merged events")


@app.command()
def articles(
    outlet: Optional[str] = typer.Option(None, help="Only this outlet."),
    limit: int = typer.Option(100, help="At most this many rows."),
    json_out: bool = JsonOption,
    csv_out: bool = CsvOption,
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """List stored articles."""
    _emit(_redline(config, db).articles(limit=limit, outlet=outlet), json_out, csv_out, lambda rows: _print_columns(
        ("id", "published", "outlet", "lang", "sentences", "removed", "title"),
        [(r["id"], str(r["published"] or ""), r["outlet"] or "", r["language"] or "", str(r["n_sentences"]),
          str(r["removed"]), r["title"] or "") for r in rows]))


@app.command()
def show(
    article_id: str = typer.Argument(..., metavar="ID"),
    removed: bool = typer.Option(False, "--removed", help="Also list the lines removed as furniture, with reasons."),
    sentences: bool = typer.Option(False, "--sentences", help="Print the sentences with their offsets instead of the text."),
    actors: bool = typer.Option(False, "--actors", help="Mark each actor mention in the text with what it resolved to: "
                                                        "the actor's name when it differs, its country and sector."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """One article: metadata, clean text, and what was removed."""
    article = _redline(config, db).article(article_id, source_path=True)
    lines = article["removed"]
    for key in ("id", "title", "outlet", "published", "url", "language", "source_path"):
        if article[key] is not None:
            out.print(f"{key + ':':13}{article[key]}", markup=False)
    if article["nlp_note"]:
        out.print(f"{'note:':13}{article['nlp_note']}", markup=False)
    out.print(f"{'sentences:':13}{article['n_sentences']}   removed lines: {len(lines)}")
    out.print()
    if sentences:
        for s in article["sentences"]:
            out.print(f"[{s['start']}:{s['end']}] {s['text']}", markup=False)
    elif actors:
        out.print(marked_up(article["text"], article["mentions"]), markup=False)
    else:
        out.print(article["text"], markup=False)
    if removed:
        out.print()
        out.print(f"Removed ({len(lines)} lines):")
        for line in lines:
            out.print(f"  - [{line['reason']}] {line['text']}", markup=False)


def marked_up(text: str, mentions: list[dict]) -> str:
    """The text with each mention followed by what it resolved to: [Kirby = John Kirby, USA GOV]."""
    parts, at = [], 0
    for m in mentions:
        if m["start"] < at:
            continue
        label = " ".join(x for x in (m["country"], m["sector"]) if x)
        same = m["text"] == m["name"]
        parts += [text[at:m["start"]], f"[{m['text']}" + ("" if same else f" = {m['name']}") + (f", {label}" if label else "") + "]"]
        at = m["end"]
    return "".join(parts + [text[at:]])


@app.command("actors")
def actors_command(
    country: Optional[str] = typer.Option(None, help="Only actors of this country (ISO3 or IGO code)."),
    kind: Optional[str] = typer.Option(None, help="person, organisation or state."),
    limit: int = typer.Option(50, help="At most this many rows."),
    json_out: bool = JsonOption,
    csv_out: bool = CsvOption,
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Actors by number of mentions, with the articles they appear in."""
    _emit(_redline(config, db).actors(country=country, kind=kind, limit=limit), json_out, csv_out, lambda rows: _print_columns(
        ("actor", "kind", "country", "sector", "mentions", "articles", "role"),
        [(r["name"], r["kind"], r["country"] or "", r["sector"] or "", str(r["mentions"]), str(r["articles"]),
          r["role"] or "") for r in rows]))


@app.command("quotes")
def quotes_command(
    speaker: Optional[str] = typer.Option(None, help="Speakers whose name contains this."),
    country: Optional[str] = typer.Option(None, help="Speakers of this country (ISO3 or IGO code)."),
    kind: Optional[str] = typer.Option(None, help="direct, partial or indirect."),
    limit: int = typer.Option(50, help="At most this many quotes."),
    json_out: bool = JsonOption,
    csv_out: bool = CsvOption,
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Who said what: quotes with their speaker, article and date."""
    def text(rows: list[dict]) -> None:
        for r in rows:
            who = r["speaker_name"] or "(speaker unknown)"
            where = ", ".join(x for x in (r["speaker_country"], r["speaker_sector"]) if x)
            out.print(f"{str(r['published'] or ''):10}  {who}{f' ({where})' if where else ''} [{r['kind']}, {r['cue'] or '-'}]", markup=False)
            out.print(f"            {r['text'] if r['kind'] == 'indirect' else '“' + r['text'] + '”'}", markup=False)
            out.print(f"            — {r['article_id']}", markup=False)

    _emit(_redline(config, db).quotes(speaker=speaker, country=country, kind=kind, limit=limit), json_out, csv_out, text)


@app.command("events")
def events_command(
    event_type: Optional[str] = typer.Option(None, "--type", help="A PLOVER type (AID, CONSULT, ASSAULT ...)."),
    country: Optional[str] = typer.Option(None, help="Events with this country (ISO3) as source or target."),
    all_: bool = typer.Option(False, "--all", help="Also negated, future, hypothetical and alleged events."),
    limit: int = typer.Option(50, help="At most this many events."),
    json_out: bool = JsonOption,
    csv_out: bool = CsvOption,
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Who did what to whom: coded events with their evidence sentence (asserted ones unless --all)."""
    def text(rows: list[dict]) -> None:
        for r in rows:
            flags = [r["modality"]] + (["NEGATED"] if r["negated"] else [])
            if r["attributed_to"]:
                flags.append(f"per {r['attributed_to']['name']}")
            when = f"{r['date']}" + ("?" if r["date_precision"] == "unknown" else "")
            kind = r["event_type"] + (f"/{r['mode']}" if r["mode"] else "")
            out.print(f"{when:11} {kind:22} {_actors_text(r['source'])} -> {_actors_text(r['target'])}  [{', '.join(flags)}]", markup=False)
            out.print(f"            “{r['evidence']}” — {r['article_id']}", markup=False)

    found = _redline(config, db).events(event_type=event_type, country=country, asserted_only=not all_, limit=limit)
    _emit(found, json_out, csv_out, text)


@app.command("stories")
def stories_command(
    rebuild: bool = typer.Option(False, "--rebuild", help="Recompute copies, stories and happenings first."),
    limit: int = typer.Option(20, help="At most this many running stories."),
    json_out: bool = JsonOption,
    csv_out: bool = CsvOption,
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Running stories, newest first, with their happenings (article clusters) and copies."""
    rl = _redline(config, db)
    if rebuild:
        _rebuild_stories(rl, quiet=False, if_stale=False)

    def text(rows: list[dict]) -> None:
        for story in rows:
            out.print(f"{story['id']}  {story['first_date']} .. {story['last_date']}  {story['articles']} articles, "
                      f"{story['sources']} independent  {story['label']}", markup=False)
            for h in story["parts"]:
                out.print(f"  {h['id']}  {h['first_date']}  {h['label']}", markup=False)
                for a in h["articles"]:
                    note = f"  ({a['relation']} of {a['derived_from']}, {a['similarity']:.2f})" if a["relation"] else ""
                    out.print(f"      {a['id']}{note}", markup=False)

    _emit(rl.story_tree(limit=limit), json_out, csv_out, text)


@app.command("timeline")
def timeline_command(
    story: Optional[str] = typer.Option(None, "--story", help="A running story (s-...) or happening (h-...) id."),
    actor: list[str] = typer.Option([], "--actor", help="A country (ISO3); twice for a pair."),
    all_: bool = typer.Option(False, "--all", help="Also happenings that every source negates, and hypothetical ones."),
    limit: int = typer.Option(200, help="At most this many happenings."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (the happenings with all their evidence)."),
    csv_out: bool = CsvOption,
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Dated happenings in order, each with its outlets and one evidence sentence."""
    def text(rows: list[dict]) -> None:
        for h in rows:
            when = f"{h['date'] or '?'}" + ("" if h["date_precision"] == "day" and h["date_text"] else "?")
            kind = h["event_type"] + (f"/{h['mode']}" if h["mode"] else "")
            flags = [h["modality"]] + (["NEGATED"] if h["negated"] else []) + (["disputed"] if h["disputed"] else [])
            sources = f"{h['sources']} source{'s' if h['sources'] != 1 else ''}"
            out.print(f"{when:11} {kind:22} {_actors_text(h['source'])} -> {_actors_text(h['target'])}  "
                      f"[{', '.join(flags)}; {sources}: {', '.join(h['outlets']) or 'outlet unknown'}]", markup=False)
            lead = h["evidence"][0]  # the mention the happening's fields come from
            out.print(f"            “{lead['sentence']}” — {lead['article_id']}", markup=False)
            for e in h["evidence"]:
                if e["negated"] and not h["negated"]:
                    out.print(f"            disputed: “{e['sentence']}” — {e['article_id']}", markup=False)

    found = _redline(config, db).timeline(story=story, actors=actor, include_unfirm=all_, limit=limit)
    _emit(found, json_out, csv_out, text)


QUADS = {"verbal-cooperation": "VK", "material-cooperation": "MK", "verbal-conflict": "VC", "material-conflict": "MC"}


@app.command("dyad")
def dyad_command(
    a: str = typer.Argument(..., metavar="A", help="An actor: ISO3 (CHN) or ISO3:SECTOR (RUS:MIL)."),
    b: str = typer.Argument(..., metavar="B"),
    by: str = typer.Option("week", "--by", help="day, week or month."),
    unit: str = typer.Option("happening", "--unit", help="happening (copies counted once) or mention."),
    include: list[str] = typer.Option([], "--include", help="Also count alleged, future or hypothetical events (repeatable)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the full series (.csv or .parquet)."),
    window: int = typer.Option(8, help="Shifts: periods in the trailing baseline."),
    threshold: float = typer.Option(3.5, help="Shifts: robust z-score that counts as a shift."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """How A and B treat each other over time: events per period by direction and quad class, and shifts."""
    if output and output.suffix not in (".csv", ".parquet"):
        raise UserError(f"{output}: write .csv or .parquet")
    try:
        found = _redline(config, db).dyad(a, b, by=by, unit=unit, include=include, window=window, threshold=threshold)
    except ValueError as e:  # a period, unit or modality the analysis does not know
        raise UserError(str(e)) from None
    series, shifts = found["series"], found["shifts"]
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        series.to_csv(output, index=False) if output.suffix == ".csv" else series.to_parquet(output, index=False)
    if series.empty:
        out.print(f"no {unit}s between {a} and {b}" + ("" if include else " (asserted only; see --include)"))
        return
    header = ("period", f"{a}->{b}", f"{b}->{a}", "joint", *QUADS.values(), "mean intensity")
    rows = []
    for period, group in series.groupby("period"):
        count = lambda col, val: str(int(group.loc[group[col] == val, "events"].sum()))  # noqa: E731
        events = group["events"].sum()
        mean = f"{group['total_intensity'].sum() / events:+.1f}" if events else "-"
        rows.append((str(period), count("direction", "A->B"), count("direction", "B->A"), count("direction", "joint"),
                     *[count("quad_class", q) for q in QUADS], mean))
    _print_columns(header, rows)
    if not found["judged"]:
        out.print(f"no shifts: {found['periods']} {by}{'s' if found['periods'] != 1 else ''}, and a period is judged against at least "
                  f"{found['min_baseline']} before it (try a shorter --by)")
        return _wrote(output, series)
    out.print(f"{len(shifts)} shift(s) against the trailing {window}-{by} baseline (|robust z| >= {threshold})")
    for shift in shifts.to_dict("records"):
        out.print(f"  {shift['period']}  {shift['measure']} {shift['value']:g} (baseline {shift['baseline']:g}, "
                  f"z {shift['z']:+.1f})", markup=False)
        for e in shift["evidence"][:3]:
            out.print(f"      {e['event_type']} {e['direction']}: “{e['sentence']}” ({e['id']})", markup=False)
    _wrote(output, series)


def _wrote(output: Optional[Path], series) -> None:
    if output:
        out.print(f"{len(series)} rows -> {output}", markup=False)


def _print_watch_record(r: dict, new: bool) -> None:
    mark = "NEW " if new else ""
    if r.get("happening_id"):
        kind = r["event_type"] + (f"/{r['mode']}" if r.get("mode") else "")
        out.print(f"{mark}{r['status'].upper()}  {r['rule']}: {r['date']} {kind} {_actors_text(r['source'])} -> "
                  f"{_actors_text(r['target'])}  [{r['reason'] or r['modality']}"
                  f"{', disputed' if r['disputed'] else ''}; {r['sources']} source(s): "
                  f"{', '.join(r['outlets']) or 'outlet unknown'}; first reported {r['first_reported']}]", markup=False)
        for e in r["evidence"]:
            status = ("negated" if e["negated"] else e["modality"]) + (f", per {e['attributed_to']}" if e["attributed_to"] else "")
            out.print(f"        “{e['sentence']}” — {e['article_id']} ({status})", markup=False)
    else:
        out.print(f"{mark}{r['status'].upper()}  {r['rule']}: {r['date']} .. {r['until']}  weekly mean intensity "
                  f"{r['mean_intensity']}{'; ' + r['reason'] if r['reason'] else ''}; {r['events']} events", markup=False)
        for sentence in r["evidence"][:3]:
            out.print(f"        “{sentence}”", markup=False)


@app.command("watch")
def watch_command(
    rules_file: Path = typer.Argument(..., metavar="RULES.yaml", help="Watch rules (format in redline.analysis.watch)."),
    jsonl: Optional[Path] = typer.Option(None, "--jsonl", help="Append alerts and near-misses to this JSONL file."),
    webhook: Optional[str] = typer.Option(None, "--webhook", help="POST each new alert as JSON to this URL."),
    state: Optional[Path] = typer.Option(None, "--state", help="Remember alerts already sent here (JSON), so each is sent once."),
    every: Optional[float] = typer.Option(None, "--every", help="Keep watching: evaluate again every this many seconds."),
    near_misses: bool = typer.Option(True, "--near-misses/--no-near-misses", help="Also report near-misses."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Evaluate watch rules ("red lines") on what is stored: alerts, and near-misses apart."""
    from redline.analysis.watch import alert_key, post_webhook

    rl = _redline(config, db)
    rules = rl.watch_rules(rules_file)
    seen: set[str] = set()
    if state and state.exists():
        try:
            seen = set(json.loads(state.read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            raise BadFile(f"{state}: not a Redline watch state file (a JSON list)") from None
    while True:
        try:
            with rl.read() as con:
                records = rl.watch(con, rules_file)
        except BadFile:
            if every is None:
                raise
            records = None  # the database is busy (an ingest is writing): try again next round
        if records is not None:
            alerts = [r for r in records if r["status"] == "alert"]
            misses = [r for r in records if r["status"] == "near-miss"] if near_misses else []
            fresh = [r for r in alerts + misses if alert_key(r) not in seen]
            if every is None or fresh:
                out.print(f"{len(alerts)} alert(s), {len([r for r in records if r['status'] == 'near-miss'])} near-miss(es) "
                          f"from {len(rules)} rule(s)")
            for r in alerts + misses:
                if every is None or r in fresh:
                    _print_watch_record(r, new=r in fresh and bool(state or every))
            if jsonl and fresh:
                jsonl.parent.mkdir(parents=True, exist_ok=True)
                with jsonl.open("a", encoding="utf-8") as f:
                    for r in fresh:
                        f.write(json.dumps(r, default=str, ensure_ascii=False) + "\n")
            for r in fresh:
                if webhook and r["status"] == "alert":
                    try:
                        post_webhook(webhook, r)
                    except OSError as e:
                        err.print(f"error: webhook {webhook}: {e}; the alert stays unsent", markup=False)
                        continue
                seen.add(alert_key(r))
            if state:
                state.write_text(json.dumps(sorted(seen)), encoding="utf-8")
        if every is None:
            return
        try:
            time.sleep(every)
        except KeyboardInterrupt:
            return


@app.command("outlets")
def outlets_command(
    story: Optional[str] = typer.Option(None, "--story", help="Only this running story (s-...)."),
    limit: int = typer.Option(50, help="At most this many rows per table."),
    json_out: bool = typer.Option(False, "--json", help="Print the three tables as JSON."),
    csv_out: bool = typer.Option(False, "--csv", help="Print the coverage table as CSV."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Outlets compared: coverage of happenings, their words for the same happening, their tone."""
    tables = {name: frame.to_dict("records") for name, frame in _redline(config, db).outlets(story).items()}
    if json_out:
        out.print(json.dumps({name: rows[:limit] for name, rows in tables.items()}, ensure_ascii=False, default=str,
                             indent=1), markup=False)
    elif csv_out:
        out.print(_csv(tables["coverage"][:limit]), markup=False, end="")
    else:
        _print_outlets(tables["coverage"][:limit], [t for t in tables["terms"] if t["differs"]], tables["tone"][:limit])
    cut = [f"{name}: {limit} of {len(rows)}" for name, rows in tables.items() if name != "terms" and len(rows) > limit]
    if cut:
        err.print(f"showing {'; '.join(cut)} (use --limit)")


def _print_outlets(coverage: list[dict], differing: list[dict], tone: list[dict]) -> None:
    out.print("Coverage (happenings covered, and missed while the outlet was on the story):")
    _print_columns(("outlet", "covered", "missed", "share"),
                   [(r["outlet"], str(r["covered"]), str(r["missed"]), f"{r['share']:.2f}") for r in coverage])
    out.print()
    out.print("Words for the same happening:")
    by_happening: dict[str, dict[str, set[str]]] = {}
    types = {}
    for t in differing:
        by_happening.setdefault(t["happening_id"], {}).setdefault(t["outlet"], set()).add(t["phrase"])
        types.setdefault(t["happening_id"], t["event_type"])
    for happening in sorted(by_happening):
        words = "; ".join(f"{o}: {', '.join(sorted(p))}" for o, p in sorted(by_happening[happening].items()))
        out.print(f"  {happening} {types[happening]:9}  {words}", markup=False)
    out.print()
    out.print("Tone (mean intensity of the asserted events each outlet reports, by country; quotes chosen):")
    fmt = lambda n, x: f"{n} ({x:+.1f})" if n else "-"  # noqa: E731
    _print_columns(("outlet", "country", "as source", "as target", "quotes"),
                   [(r["outlet"], r["country"], fmt(r["source_events"], r["source_intensity"]),
                     fmt(r["target_events"], r["target_intensity"]), str(r["quotes"])) for r in tone])


@app.command("brief")
def brief_command(
    output: Path = typer.Option(..., "--output", "-o", help="The file to write (brief.html, brief.md)."),
    story: Optional[str] = typer.Option(None, "--story", help="A running story (s-...) or happening (h-...)."),
    actor: list[str] = typer.Option([], "--actor", help="Countries (ISO3) the happenings must involve; repeatable."),
    fmt: str = typer.Option("html", "--format", "-f", help="html (one self-contained file) or md."),
    rules: Optional[Path] = typer.Option(None, "--rules", help="Watch rules whose alerts and near-misses to include."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """A briefing to send: summary, timeline, relations, quotes, outlets, alerts, sources, every claim cited."""
    from redline import brief

    if fmt not in ("html", "md"):
        raise UserError(f"unknown format {fmt!r} (html or md)")
    content = _redline(config, db).brief(story=story, actors=actor, rules=rules)
    text = brief.render_html(content) if fmt == "html" else brief.render_markdown(content)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    out.print(f"{content['title']}: {len(content['happenings'])} happenings, {len(content['sources'])} sources -> {output}",
              markup=False)


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (anything but localhost is announced)."),
    port: int = typer.Option(8000, help="Port."),
    workers: int = typer.Option(0, help="Worker processes (default: one per core, at most 4)."),
    rules: Optional[Path] = typer.Option(None, "--rules", help="Watch rules for the alerts page (default: watch_rules in redline.yaml)."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """The web app and JSON API (/api/..., schema at /openapi.json) over the database."""
    import dataclasses

    import uvicorn

    from redline.web import SERVER_PID_ENV, SETTINGS_ENV, create_app

    rl = _redline(config, db)
    settings = rl.settings
    if rules:
        settings.watch_rules = str(rules)
    rl.open().close()  # a missing or foreign file: say so now, not on the first request
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"warning: listening on {host}: anyone who reaches this address can read the database; "
                  "writing needs the api_token", markup=False)
    out.print(f"Redline on http://{host}:{port}/ (API schema: http://{host}:{port}/openapi.json); Ctrl-C stops it", markup=False)
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers == 1:
        uvicorn.run(create_app(settings.db, settings), host=host, port=port, log_level="warning")
        return
    # Several processes, each reading the file read-only: pages are Python-bound, so this scales.
    os.environ[SETTINGS_ENV] = json.dumps(dataclasses.asdict(settings))
    os.environ[SERVER_PID_ENV] = str(os.getpid())  # the workers die with this process
    uvicorn.run("redline.web:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


@app.command()
def summary(db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption) -> None:
    """What the database holds: articles, outlets, dates, languages, furniture removed."""
    rl = _redline(config, db)
    with rl.read() as con:
        from redline import queries

        o = queries.overview(con)
        failures = queries.failures(con, SUMMARY_FAILURES, source_path=True)
    out.print(f"articles:   {o['articles']} from {o['outlets']} outlets, published {o['first']} to {o['last']}")
    out.print(f"sentences:  {o['sentences'] or 0}")
    out.print("languages:  " + ", ".join(f"{r['language'] or '?'} {r['n']}" for r in o["languages"])
              + (f" ({o['skipped']} skipped by the English-only stages)" if o["skipped"] else ""))
    out.print(f"removed:    {sum(r['n'] for r in o['removed'])} lines of page furniture: "
              + ", ".join(f"{r['reason']} {r['n']}" for r in o["removed"]))
    if o["failed_stages"]:
        out.print(f"failed:     {failures['total']} article(s) a stage failed on: "
                  + ", ".join(f"{r['stage']} {r['n']}" for r in o["failed_stages"])
                  + " (`redline ingest --retry-failed` tries them again)")
        for f in failures["items"]:
            out.print(f"  {InputError(f['source_path'], f['problem'], f['line'], f['article_id'], f['stage'])}", markup=False)
        if failures["total"] > len(failures["items"]):
            out.print(f"  … and {failures['total'] - len(failures['items'])} more (the `failures` table)")


@app.command("export")
def export_command(
    dataset: str = typer.Argument(..., help=f"One of: {', '.join(DATASETS)}."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help=f"One of: {', '.join(FORMATS)}."),
    output: Path = typer.Option(..., "--output", "-o", help="File to write."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Write a table (articles, sentences, quotes, events, happenings, stories) as JSONL, CSV or Parquet."""
    with _redline(config, db).open() as store:
        try:
            rows = export_dataset(store, dataset, fmt, output)
        except ValueError as e:
            raise UserError(str(e)) from None
    out.print(f"{rows} {dataset} -> {output}", markup=False)


eval_app = typer.Typer(help="Score Redline against gold files.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
SharedOption = typer.Option(Path("../shared"), help="Where gold lines that name a seed or benchmark page find it.")
ErrorsOption = typer.Option(False, "--errors", help="Also list every miss, spurious find and wrong attribute.")
EvalJsonOption = typer.Option(False, "--json", help="Print the figures as JSON.")
SplitOption = typer.Option(None, "--split", help="Only this split of a gold set (train, or the frozen test).")


def _evaluate(gold: Path, shared: Path, config: Optional[Path], evaluator, json_out: bool, split: Optional[str] = None):
    """Load a gold file and score it; the summary goes out as JSON when asked."""
    from redline.evaluate import load_gold
    from redline.nlp import pipeline_key

    settings = _redline(config, None).settings
    try:
        records = load_gold(gold, shared, split)
    except (OSError, ValueError, KeyError) as e:
        raise BadFile(str(e)) from None
    result = evaluator(records, pipeline_key(settings))
    if json_out:
        out.print(json.dumps(result.summary(), indent=2), markup=False)
    return records, result


def _print_errors(errors: list[dict]) -> None:
    for e in errors:
        out.print(json.dumps(e, ensure_ascii=False, default=str), markup=False)
@eval_app.command("quotes")
def eval_quotes(
    gold: Path = typer.Argument(..., help="Gold JSONL (see redline.evaluate for the format)."),
    shared: Path = SharedOption,
    errors: bool = ErrorsOption,
    json_out: bool = EvalJsonOption,
    split: Optional[str] = SplitOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Precision and recall of quote spans, and the accuracy of their speakers."""
    from redline.evaluate import evaluate_quotes

    records, result = _evaluate(gold, shared, config, evaluate_quotes, json_out, split)
    summary = result.summary()
    if not json_out:
        out.print(f"{len(records)} texts, {sum(len(r['quotes']) for r in records)} gold quotes ({gold})")
        out.print(f"{'quotes':10} {'gold':>5} {'found':>6} {'P':>6} {'R':>6} {'F1':>6} {'speaker':>8}")
        for name, c in summary.items():
            if isinstance(c, dict):
                out.print(f"{name:10} {c['gold']:5d} {c['predicted']:6d} {c['precision']:6.3f} {c['recall']:6.3f} "
                          f"{c['f1']:6.3f} {c['speaker_accuracy']:8.3f}")
        out.print(f"direct quotes: speaker accuracy {summary['direct_speaker_accuracy']:.3f} "
                  f"over {summary['direct_judged']} matched")
        out.print(f"speakers not named in their text: {summary['speakers_not_in_text']}")
    if errors:
        _print_errors(result.errors)


@eval_app.command("events")
def eval_events(
    gold: Path = typer.Argument(..., help="Gold JSONL with `events` per text (see redline.evaluate)."),
    shared: Path = SharedOption,
    errors: bool = ErrorsOption,
    json_out: bool = EvalJsonOption,
    split: Optional[str] = SplitOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Precision, recall and F1 of event type with both actors, per type; dates and negation."""
    from redline.evaluate import evaluate_events

    records, result = _evaluate(gold, shared, config, evaluate_events, json_out, split)
    summary = result.summary()
    if not json_out:
        out.print(f"{summary['sentences']} texts, {sum(len(r.get('events', [])) for r in records)} gold events ({gold})")
        out.print(f"{'type':10} {'gold':>5} {'found':>6} {'P':>6} {'R':>6} {'F1':>6}")
        for name, c in summary["per_type"].items():
            out.print(f"{name:10} {c['gold']:5d} {c['predicted']:6d} {c['precision']:6.3f} {c['recall']:6.3f} {c['f1']:6.3f}")
        out.print(f"{'all':10} {'':5} {'':6} {summary['precision']:6.3f} {summary['recall']:6.3f} {summary['f1']:6.3f}")
        out.print(f"dates right: {summary['date_accuracy']:.3f} of {summary['dates_judged']} fixed by their sentence; "
                  f"negation right: {summary['negation_accuracy']:.3f}")
        out.print(f"negated or unasserted statements coded as asserted facts: {summary['false_facts']}")
        out.print(f"gold events found with their type: {summary['type_recall']:.3f}; coded events that are no gold "
                  f"event of their type: {summary['coded_not_gold']:.3f}")
        out.print(f"sentences with no event that got one: {summary['no_event_coded']:.3f} of {summary['no_event_sentences']}; "
                  f"asserted events right (type, both actors, a fact): {summary['asserted_right']:.3f} of {summary['asserted_coded']}")
    if errors:
        _print_errors(result.errors + [{"error": "false fact", **f} for f in result.false_facts])
