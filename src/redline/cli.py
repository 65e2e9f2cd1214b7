"""The `redline` command: a thin layer over the modules, one command per task."""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path
from typing import Optional

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from redline.config import Settings
from redline.errors import InputError, describe
from redline.export import DATASETS, FORMATS
from redline.export import export as export_dataset
from redline.store import FAILURES_SQL, Store

SUMMARY_FAILURES = 20  # failed articles `redline summary` lists one by one

app = typer.Typer(
    help="Redline: who did what to whom, from news text, with the evidence sentence for each.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(highlight=False, soft_wrap=True)  # long lines (paths, errors) stay whole
err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOption = typer.Option(None, "--db", help="Database file (default: `db` in redline.yaml, else ./redline.duckdb).")
ConfigOption = typer.Option(None, "--config", help="Settings file (default: ./redline.yaml when present).")


_db_in_use: list[str] = []  # the database file of this command, for `main`'s message


def _settings(config: Optional[Path], db: Optional[Path]) -> Settings:
    try:
        settings = Settings.load(config)
    except (OSError, ValueError) as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(2)
    if db:
        settings.db = str(db)
    _db_in_use[:] = [settings.db]
    return settings


def main() -> None:
    """The `redline` command: `app`, with a database file that cannot be read reported in one line.

    DuckDB opens a truncated or damaged file and fails only when a command reads the part that
    is missing, anywhere in any command."""
    try:
        app(prog_name="redline")
    except duckdb.Error as e:
        damaged = isinstance(e, duckdb.IOException) or "corrupt" in str(e).lower()
        err.print(f"error: {_db_in_use[0] if _db_in_use else 'database'}: "
                  + ("the database file is damaged or truncated: " if damaged else "database error: ")
                  + " ".join(str(e).split()), markup=False)
        raise SystemExit(2)


def _open(settings: Settings, read_only: bool = True) -> Store:
    try:
        return Store(settings.db, read_only=read_only)
    except Exception as e:  # a missing, locked or foreign file: say which and why, in one line
        err.print(f"error: {' '.join(str(e).split())}", markup=False)
        raise typer.Exit(2)


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
    from redline.ingest import Ingestor
    from redline.ingest.feeds import Fetcher, feed_articles, parse_every
    from redline.ingest.manifest import Manifest

    settings = _settings(config, db)
    settings.actor_files = tuple(settings.actor_files) + tuple(str(p) for p in actors)
    settings.rule_files = tuple(settings.rule_files) + tuple(str(p) for p in rules)
    for kind, files in (("actor", settings.actor_files), ("event rule", settings.rule_files)):
        for file in files:
            if not Path(file).is_file():
                err.print(f"error: {file}: {kind} file not found", markup=False)
                raise typer.Exit(2)
    from redline import schemas

    try:  # every rule file checked against its schema before anything is read
        schemas.check_files(events=settings.rule_files, actors=settings.actor_files, furniture=furniture)
        if settings.rule_files:
            from redline.events import load_rules

            load_rules(settings.rule_files)
    except ValueError as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(2)
    try:
        loaded = Manifest.load(manifest) if manifest else None
    except InputError as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(2)
    if engine not in ("local", "dask"):
        err.print(f"error: --engine {engine}: expected local or dask", markup=False)
        raise typer.Exit(2)
    if (paths and feed) or not (paths or feed or retry_failed) or (feed and engine == "dask") or (every and not feed):
        err.print("error: give files or folders, or --feed (with --every to keep polling; the local engine), "
                  "or --retry-failed alone", markup=False)
        raise typer.Exit(2)
    try:
        interval = parse_every(every) if every else None
    except ValueError as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(2)

    def run_once():
        store = _open(settings, read_only=False)
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

        processes = workers or os.cpu_count() or 1
        with store, progress:
            if engine == "dask" and paths:
                from redline.ingest.distributed import DaskIngest

                ingestor = DaskIngest(store, settings, loaded, furniture=furniture, scheduler=scheduler,
                                      workers=processes, parquet=parquet, load=load, force=force,
                                      on_progress=on_progress, retry_failed=retry_failed)
            else:
                ingestor = Ingestor(store, settings, loaded, furniture=furniture, force=force, on_progress=on_progress,
                                    workers=processes, retry_failed=retry_failed)
            try:
                if feed:
                    fetcher = Fetcher(settings)
                    try:
                        report = ingestor.run_articles(feed_articles(feed, fetcher, store, force, retry_failed))
                    finally:
                        fetcher.close()
                elif paths:
                    report = ingestor.run(paths)
                else:
                    report = ingestor.retry_failed_articles()
            except KeyboardInterrupt:
                err.print("interrupted: what was stored is complete; run the same command again to finish.")
                raise typer.Exit(130)
            finally:
                ingestor.close()
        if stories and (report.stored or _stories_stale(settings)):
            _rebuild_stories(settings, quiet)
        if not quiet:
            for note in report.notes:
                out.print(f"note: {note}", markup=False)
            skipped = f"{len(report.failed_before)} failed before (skipped), " if report.failed_before else ""
            out.print(
                f"{len(report.stored)} stored, {len(report.unchanged)} already stored, {skipped}"
                f"{len(report.errors)} error(s) -> {settings.db}"
            )
        return report

    def poll() -> None:
        """One poll of --every: whatever fails in it (a feed, the network, the database busy for
        too long) is one line, and the next poll tries again."""
        try:
            run_once()
        except typer.Exit as e:
            if e.exit_code == 130:
                raise
        except Exception as e:  # noqa: BLE001 - the poller outlives any one poll
            err.print(f"error: this poll failed ({describe(e)}); polling again in {every}", markup=False)

    if interval is None:
        if run_once().failed:
            raise typer.Exit(1)
        return
    while True:
        poll()
        try:
            if not quiet:
                err.print(f"next poll in {every} (Ctrl-C stops)")
            time.sleep(interval)
        except KeyboardInterrupt:
            raise typer.Exit(0)


def _stories_stale(settings: Settings) -> bool:
    """A run stopped between storing articles and the stories stage left them out of date."""
    with Store(settings.db) as store:
        return store.stage_stale("stories")


def _rebuild_stories(settings: Settings, quiet: bool) -> None:
    """Run the stories stage (and with it the search index) over the whole database, with a progress bar."""
    from redline.stories import rebuild

    with _open(settings, read_only=False) as store:
        total = store.con.execute("SELECT count(*) FROM articles").fetchone()[0]
        progress = Progress(TextColumn("[bold]stories"), BarColumn(), MofNCompleteColumn(), TextColumn("articles"),
                            TimeElapsedColumn(), console=err, disable=quiet)
        task = progress.add_task("stories", total=total)
        with progress:
            try:
                result = rebuild(store, on_progress=lambda stage: progress.advance(task) if stage == "article" else None)
            except KeyboardInterrupt:
                err.print("interrupted: the previous stories are kept; run `redline stories` to rebuild them.")
                raise typer.Exit(130)
    if not quiet:
        levels = Counter(s["level"] for s in result.stories)
        out.print(f"stories: {len(result.lineage)} copies or rewrites, {levels['happening']} happenings in "
                  f"{levels['story']} running stories, {len(result.happenings)} merged events")


def _print_columns(header: tuple[str, ...], rows: list[tuple[str, ...]], last_max: int = 60) -> None:
    """Plain aligned columns: whole ids and dates in a pipe or a narrow terminal alike."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header[:-1])]
    for row in [header] + rows:
        last = row[-1] if len(row[-1]) <= last_max else row[-1][: last_max - 1] + "…"
        out.print("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + last, markup=False)


@app.command()
def articles(
    outlet: Optional[str] = typer.Option(None, help="Only this outlet."),
    limit: int = typer.Option(100, help="At most this many rows."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """List stored articles."""
    with _open(_settings(config, db)) as store:
        where, params = ("WHERE outlet = ?", [outlet]) if outlet else ("", [])
        rows = store.query(
            f"""SELECT a.id, a.published, a.outlet, a.language, a.n_sentences,
                       (SELECT count(*) FROM removed_lines r WHERE r.article_id = a.id) AS removed, a.title
                FROM articles a {where} ORDER BY a.published NULLS LAST, a.id LIMIT ?""",
            params + [limit],
        )
    header = ("id", "published", "outlet", "lang", "sentences", "removed", "title")
    cells = [
        (r["id"], str(r["published"] or ""), r["outlet"] or "", r["language"] or "",
         str(r["n_sentences"]), str(r["removed"]), r["title"] or "")
        for r in rows
    ]
    _print_columns(header, cells)


@app.command()
def show(
    article_id: str = typer.Argument(..., metavar="ID"),
    removed: bool = typer.Option(False, "--removed", help="Also list the lines removed as furniture, with reasons."),
    sentences: bool = typer.Option(False, "--sentences", help="Print the sentences with their offsets instead of the text."),
    actors: bool = typer.Option(False, "--actors", help="Mark each actor mention in the text: [text = actor, COUNTRY SECTOR]."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """One article: metadata, clean text, and what was removed."""
    with _open(_settings(config, db)) as store:
        article = store.article(article_id)
        if article is None:
            err.print(f"error: no article with id {article_id!r} in {store.path}", markup=False)
            raise typer.Exit(1)
        lines = store.removed_lines(article_id)
        sents = store.sentences(article_id) if sentences else []
        mentions = store.mentions(article_id) if actors else []
    for key in ("id", "title", "outlet", "published", "url", "language", "source_path"):
        if article[key] is not None:
            out.print(f"{key + ':':13}{article[key]}", markup=False)
    if article["nlp_note"]:
        out.print(f"{'note:':13}{article['nlp_note']}", markup=False)
    out.print(f"{'sentences:':13}{article['n_sentences']}   removed lines: {len(lines)}")
    out.print()
    if sentences:
        for s in sents:
            out.print(f"[{s['start_char']}:{s['end_char']}] {s['text']}", markup=False)
    elif actors:
        out.print(marked_up(article["text"], mentions), markup=False)
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
        if m["start_char"] < at:
            continue
        label = " ".join(x for x in (m["country"], m["sector"]) if x)
        same = m["text"] == m["name"]
        parts += [text[at:m["start_char"]], f"[{m['text']}" + ("" if same else f" = {m['name']}") + (f", {label}" if label else "") + "]"]
        at = m["end_char"]
    return "".join(parts + [text[at:]])


@app.command("actors")
def actors_command(
    country: Optional[str] = typer.Option(None, help="Only actors of this country (ISO3 or IGO code)."),
    kind: Optional[str] = typer.Option(None, help="person, organisation or state."),
    limit: int = typer.Option(50, help="At most this many rows."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Actors by number of mentions, with the articles they appear in."""
    with _open(_settings(config, db)) as store:
        rows = store.actor_counts(country=country, kind=kind, limit=limit)
    cells = [(r["name"], r["kind"], r["country"] or "", r["sector"] or "", str(r["mentions"]), str(r["articles"]),
              r["role"] or "") for r in rows]
    _print_columns(("actor", "kind", "country", "sector", "mentions", "articles", "role"), cells)


@app.command("quotes")
def quotes_command(
    speaker: Optional[str] = typer.Option(None, help="Speakers whose name contains this."),
    country: Optional[str] = typer.Option(None, help="Speakers of this country (ISO3 or IGO code)."),
    kind: Optional[str] = typer.Option(None, help="direct, partial or indirect."),
    limit: int = typer.Option(50, help="At most this many quotes."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Who said what: quotes with their speaker, article and date."""
    with _open(_settings(config, db)) as store:
        rows = store.find_quotes(speaker=speaker, country=country, kind=kind, limit=limit)
    for r in rows:
        who = r["speaker_name"] or "(speaker unknown)"
        where = ", ".join(x for x in (r["speaker_country"], r["speaker_sector"]) if x)
        out.print(f"{str(r['published'] or ''):10}  {who}{f' ({where})' if where else ''} [{r['kind']}, {r['cue'] or '-'}]", markup=False)
        text = r["text"] if r["kind"] == "indirect" else f"“{r['text']}”"
        out.print(f"            {text}", markup=False)
        out.print(f"            — {r['article_id']}", markup=False)


@app.command("events")
def events_command(
    event_type: Optional[str] = typer.Option(None, "--type", help="A PLOVER type (AID, CONSULT, ASSAULT ...)."),
    country: Optional[str] = typer.Option(None, help="Events with this country (ISO3) as source or target."),
    all_: bool = typer.Option(False, "--all", help="Also negated, future, hypothetical and alleged events."),
    limit: int = typer.Option(50, help="At most this many events."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Who did what to whom: coded events with their evidence sentence (asserted ones unless --all)."""
    with _open(_settings(config, db)) as store:
        rows = store.find_events(event_type=event_type, country=country, asserted_only=not all_, limit=limit)
    for r in rows:
        flags = [r["modality"]] + (["NEGATED"] if r["negated"] else [])
        if r["attributed_to"]:
            flags.append(f"per {r['attributed_to']['name']}")
        when = f"{r['date']}" + ("?" if r["date_precision"] == "unknown" else "")
        kind = r["event_type"] + (f"/{r['mode']}" if r["mode"] else "")
        out.print(f"{when:11} {kind:22} {_actors_text(r['source'])} -> {_actors_text(r['target'])}  [{', '.join(flags)}]", markup=False)
        out.print(f"            “{r['evidence']}” — {r['article_id']}", markup=False)


def _actors_text(actors: list[dict] | None) -> str:
    return ", ".join(f"{a['name']} ({a['country'] or '?'}{' ' + a['sector'] if a['sector'] else ''})" for a in actors or []) or "-"


@app.command("stories")
def stories_command(
    rebuild: bool = typer.Option(False, "--rebuild", help="Recompute copies, stories and happenings first."),
    limit: int = typer.Option(20, help="At most this many running stories."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Running stories, newest first, with their happenings (article clusters) and copies."""
    settings = _settings(config, db)
    if rebuild:
        _rebuild_stories(settings, quiet=False)
    with _open(settings) as store:
        stories = store.query("SELECT * FROM stories WHERE level = 'story' ORDER BY last_date DESC NULLS LAST, id LIMIT ?", [limit])
        happenings = store.query(
            """SELECT h.*, list(s.article_id ORDER BY a.published, s.article_id) AS members
               FROM stories h JOIN article_stories s ON s.happening_id = h.id JOIN articles a ON a.id = s.article_id
               WHERE h.level = 'happening' GROUP BY ALL ORDER BY h.first_date, h.id""")
        copies = {r["article_id"]: r for r in store.query("SELECT * FROM lineage")}
    for story in stories:
        out.print(f"{story['id']}  {story['first_date']} .. {story['last_date']}  {story['articles']} articles, "
                  f"{story['sources']} independent  {story['label']}", markup=False)
        for h in (h for h in happenings if h["story_id"] == story["id"]):
            out.print(f"  {h['id']}  {h['first_date']}  {h['label']}", markup=False)
            for article in h["members"]:
                link = copies.get(article)
                note = f"  ({link['relation']} of {link['derived_from']}, {link['similarity']:.2f})" if link else ""
                out.print(f"      {article}{note}", markup=False)


@app.command("timeline")
def timeline_command(
    story: Optional[str] = typer.Option(None, "--story", help="A running story (s-...) or happening (h-...) id."),
    actor: list[str] = typer.Option([], "--actor", help="A country (ISO3); twice for a pair."),
    all_: bool = typer.Option(False, "--all", help="Also happenings that every source negates, and hypothetical ones."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (the happenings with all their evidence)."),
    limit: int = typer.Option(200, help="At most this many happenings."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Dated happenings in order, each with its outlets and one evidence sentence."""
    with _open(_settings(config, db)) as store:
        rows = store.timeline(story=story, actors=actor, include_unfirm=all_, limit=limit)
    if json_out:
        import json

        out.print(json.dumps(rows, ensure_ascii=False, default=str, indent=1), markup=False)
        return
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
    from redline.analysis import dyad_series, dyad_shifts

    with _open(_settings(config, db)) as store:
        try:
            series = dyad_series(store, a, b, by=by, unit=unit, include=include)
            shifts = dyad_shifts(store, a, b, by=by, unit=unit, include=include, window=window, threshold=threshold,
                                 series=series)
        except ValueError as e:
            err.print(f"error: {e}", markup=False)
            raise typer.Exit(2)
    if output:
        if output.suffix not in (".csv", ".parquet"):
            err.print(f"error: {output}: write .csv or .parquet", markup=False)
            raise typer.Exit(2)
        output.parent.mkdir(parents=True, exist_ok=True)
        series.to_csv(output, index=False) if output.suffix == ".csv" else series.to_parquet(output, index=False)
    if series.empty:
        out.print(f"no {unit}s between {a} and {b}" + ("" if include else " (asserted only; see --include)"))
        return
    header = ("period", f"{a}->{b}", f"{b}->{a}", "joint", *QUADS.values(), "mean intensity")
    rows = []
    for period, group in series.groupby("period"):
        count = lambda col, val: str(int(group.loc[group[col] == val, "events"].sum()))  # noqa: E731
        mean = group["total_intensity"].sum() / group["events"].sum()
        rows.append((str(period), count("direction", "A->B"), count("direction", "B->A"), count("direction", "joint"),
                     *[count("quad_class", q) for q in QUADS], f"{mean:+.1f}"))
    _print_columns(header, rows)
    out.print(f"{len(shifts)} shift(s) against the trailing {window}-{by} baseline (|robust z| >= {threshold})")
    for shift in shifts.to_dict("records"):
        out.print(f"  {shift['period']}  {shift['measure']} {shift['value']:g} (baseline {shift['baseline']:g}, "
                  f"z {shift['z']:+.1f})", markup=False)
        for e in shift["evidence"][:3]:
            out.print(f"      {e['event_type']} {e['direction']}: “{e['sentence']}” ({e['id']})", markup=False)
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
    import json
    import time

    from redline.analysis.watch import alert_key, evaluate, load_rules, post_webhook

    settings = _settings(config, db)
    try:
        rules = load_rules(rules_file)
    except ValueError as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(2)
    seen: set[str] = set()
    if state and state.exists():
        try:
            seen = set(json.loads(state.read_text(encoding="utf-8")))
        except (ValueError, TypeError):
            err.print(f"error: {state}: not a Redline watch state file (a JSON list)", markup=False)
            raise typer.Exit(2)
    while True:
        try:
            with _open(settings) as store:
                records = evaluate(store, rules)
        except typer.Exit:
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
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Outlets compared: coverage of happenings, their words for the same happening, their tone."""
    from redline.analysis import outlet_summary, outlet_terms, outlet_tone

    with _open(_settings(config, db)) as store:
        summary_rows = outlet_summary(store, story)
        terms_rows = outlet_terms(store, story)
        tone_rows = outlet_tone(store, story)
    out.print("Coverage (happenings covered, and missed while the outlet was on the story):")
    _print_columns(("outlet", "covered", "missed", "share"),
                   [(r["outlet"], str(r["covered"]), str(r["missed"]), f"{r['share']:.2f}") for r in summary_rows.to_dict("records")])
    out.print()
    out.print("Words for the same happening:")
    differing = terms_rows[terms_rows["differs"]] if not terms_rows.empty else terms_rows
    for happening, group in differing.groupby("happening_id"):
        words = "; ".join(f"{o}: {', '.join(sorted(set(g['phrase'])))}" for o, g in group.groupby("outlet"))
        out.print(f"  {happening} {group['event_type'].iloc[0]:9}  {words}", markup=False)
    out.print()
    out.print("Tone (mean intensity of the asserted events each outlet reports, by country; quotes chosen):")
    fmt = lambda n, x: f"{n} ({x:+.1f})" if n else "-"  # noqa: E731
    _print_columns(("outlet", "country", "as source", "as target", "quotes"),
                   [(r["outlet"], r["country"], fmt(r["source_events"], r["source_intensity"]),
                     fmt(r["target_events"], r["target_intensity"]), str(r["quotes"])) for r in tone_rows.to_dict("records")])


@app.command("brief")
def brief_command(
    output: Path = typer.Option(..., "--output", "-o", help="The file to write (brief.html, brief.md)."),
    story: Optional[str] = typer.Option(None, "--story", help="A running story (s-...) or happening (h-...)."),
    actor: list[str] = typer.Option([], "--actor", help="Countries (ISO3) the happenings must involve; repeatable."),
    fmt: str = typer.Option("html", "--format", "-f", help="html (one self-contained file) or md."),
    rules: Optional[Path] = typer.Option(None, "--rules", help="Watch rules whose alerts and near-misses to include."),
    self_contained: bool = typer.Option(False, "--self-contained", help="Inline Plotly (4.6 MB) instead of writing plotly.min.js beside it."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """A briefing to send: summary, timeline, relations, quotes, outlets, alerts, sources, every claim cited."""
    from redline import brief

    settings = _settings(config, db)
    if fmt not in ("html", "md"):
        err.print(f"error: unknown format {fmt!r} (html or md)", markup=False)
        raise typer.Exit(2)
    rules_file = rules or (Path(settings.watch_rules) if settings.watch_rules else None)
    with _open(settings) as store:
        try:
            alerts = None
            if rules_file:
                from redline.analysis.watch import evaluate, load_rules

                alerts = evaluate(store, load_rules(rules_file))
            content = brief.build(store.con, story=story, actors=actor, alerts=alerts,
                                  rules=rules_file.name if rules_file else None)
        except ValueError as e:
            err.print(f"error: {e}", markup=False)
            raise typer.Exit(2)
    written = brief.write(content, output, fmt, self_contained)
    out.print(f"{content['title']}: {len(content['happenings'])} happenings, {len(content['sources'])} sources -> "
              f"{' + '.join(map(str, written))}", markup=False)


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
    import json

    import uvicorn

    from redline.web import SERVER_PID_ENV, SETTINGS_ENV, create_app
    from redline.web.startup import announce_when_ready, local_url, port_taken

    settings = _settings(config, db)
    if rules:
        settings.watch_rules = str(rules)
    _open(settings).close()  # a missing or foreign file: say so now, not on the first request
    if problem := port_taken(host, port):
        err.print(f"error: {problem}", markup=False)
        raise typer.Exit(2)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"warning: listening on {host}: anyone who reaches this address can read the database; "
                  "writing needs the api_token", markup=False)
    url = local_url(host, port)  # announced once it answers, not while the workers still load
    announce_when_ready(url + "openapi.json", lambda: out.print(
        f"Redline on {url} (API schema: {url}openapi.json); Ctrl-C stops it", markup=False))
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
    with _open(_settings(config, db)) as store:
        total, outlets, first, last, sentences = store.con.execute(
            "SELECT count(*), count(DISTINCT outlet), min(published), max(published), sum(n_sentences) FROM articles"
        ).fetchone()
        languages = store.con.execute(
            "SELECT language, count(*) FROM articles GROUP BY ALL ORDER BY 2 DESC, 1"
        ).fetchall()
        reasons = store.con.execute(
            "SELECT reason, count(*) FROM removed_lines GROUP BY ALL ORDER BY 2 DESC, 1"
        ).fetchall()
        skipped = store.con.execute("SELECT count(*) FROM articles WHERE nlp_note IS NOT NULL").fetchone()[0]
        stages = store.con.execute("SELECT stage, count(*) FROM failures GROUP BY ALL ORDER BY 2 DESC, 1").fetchall()
        failures = store.query(f"{FAILURES_SQL} LIMIT {SUMMARY_FAILURES}")
    out.print(f"articles:   {total} from {outlets} outlets, published {first} to {last}")
    out.print(f"sentences:  {sentences or 0}")
    out.print("languages:  " + ", ".join(f"{lang or '?'} {n}" for lang, n in languages)
              + (f" ({skipped} skipped by the English-only stages)" if skipped else ""))
    out.print(f"removed:    {sum(n for _, n in reasons)} lines of page furniture: "
              + ", ".join(f"{reason} {n}" for reason, n in reasons))
    if stages:
        failed = sum(n for _, n in stages)
        out.print(f"failed:     {failed} article(s) a stage failed on: " + ", ".join(f"{stage} {n}" for stage, n in stages)
                  + " (`redline ingest --retry-failed` tries them again)")
        for f in failures:
            out.print(f"  {InputError(f['source_path'], f['problem'], f['line'], f['article_id'], f['stage'])}", markup=False)
        if failed > len(failures):
            out.print(f"  … and {failed - len(failures)} more (the `failures` table)")


@app.command("export")
def export_command(
    dataset: str = typer.Argument(..., help=f"One of: {', '.join(DATASETS)}."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help=f"One of: {', '.join(FORMATS)}."),
    output: Path = typer.Option(..., "--output", "-o", help="File to write."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Write a table (articles, sentences, quotes, events, happenings, stories) as JSONL, CSV or Parquet."""
    with _open(_settings(config, db)) as store:
        try:
            rows = export_dataset(store, dataset, fmt, output)
        except ValueError as e:
            err.print(f"error: {e}", markup=False)
            raise typer.Exit(2)
    out.print(f"{rows} {dataset} -> {output}", markup=False)


eval_app = typer.Typer(help="Score Redline against gold files.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
SharedOption = typer.Option(Path("../shared"), help="Where gold lines that name a seed or benchmark page find it.")
ErrorsOption = typer.Option(False, "--errors", help="Also list every miss, spurious find and wrong attribute.")
JsonOption = typer.Option(False, "--json", help="Print the figures as JSON.")
SplitOption = typer.Option(None, "--split", help="Only this split of a gold set (train, or the frozen test).")


def _evaluate(gold: Path, shared: Path, config: Optional[Path], evaluator, json_out: bool, split: Optional[str] = None):
    """Load a gold file and score it; the summary goes out as JSON when asked."""
    import json

    from redline.evaluate import load_gold

    settings = _settings(config, None)
    try:
        records = load_gold(gold, shared, split)
    except (OSError, ValueError, KeyError) as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(2)
    from redline.nlp import pipeline_key

    result = evaluator(records, pipeline_key(settings))
    if json_out:
        out.print(json.dumps(result.summary(), indent=2), markup=False)
    return records, result


def _print_errors(errors: list[dict]) -> None:
    import json

    for e in errors:
        out.print(json.dumps(e, ensure_ascii=False, default=str), markup=False)


@eval_app.command("quotes")
def eval_quotes(
    gold: Path = typer.Argument(..., help="Gold JSONL (see redline.evaluate for the format)."),
    shared: Path = SharedOption,
    errors: bool = ErrorsOption,
    json_out: bool = JsonOption,
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
    json_out: bool = JsonOption,
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
