"""`redline ingest`: files, folders, feeds (polled with --every), or the failed articles again."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from redline.cli.common import ConfigOption, DbOption, err, out, redline_for, update_provenance, update_stories
from redline.errors import UserError, describe

commands = typer.Typer()

@commands.command()
def ingest(
    paths: list[Path] = typer.Argument(None, help="Files or folders (.txt, .html, .htm, .jsonl, optionally .gz)."),
    feed: list[str] = typer.Option([], "--feed", help="An RSS or Atom feed (URL or file) whose linked pages to fetch and ingest; repeatable."),
    every: Optional[str] = typer.Option(None, "--every", help="With --feed: poll again at this interval (30s, 10m, 2h) until Ctrl-C."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", help="CSV or JSONL metadata: id,file,outlet,url,published,language."),
    furniture: list[Path] = typer.Option([], "--furniture", help="Extra furniture patterns (YAML, like lang/en/furniture.yaml)."),
    actors: list[Path] = typer.Option([], "--actors", help="Extra actor dictionary (YAML, like data/people.yaml)."),
    rules: list[Path] = typer.Option([], "--rules", help="Extra event rules (YAML, like data/events.yaml)."),
    force: bool = typer.Option(False, "--force", help="Re-process articles even when they are already stored."),
    workers: int = typer.Option(0, "--workers", help="Processes parsing in parallel (default: one per core); with --engine dask, the LocalCluster's workers."),
    engine: str = typer.Option("local", "--engine", help="local (this machine) or dask (the map stage on a Dask cluster)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (default: a LocalCluster)."),
    parquet: Optional[Path] = typer.Option(None, "--parquet", help="With --engine dask: keep the Parquet partitions in this folder."),
    load: bool = typer.Option(True, "--load/--no-load", help="With --engine dask: load the partitions into the database (or only write them)."),
    stories: bool = typer.Option(True, "--stories/--no-stories", help="Place the newly stored articles among the stored copies, stories and happenings (or catch up after a stopped run)."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Try again the articles a stage failed on in earlier runs (otherwise skipped while unchanged): those among PATHs or --feed, or all of them, as first read, when neither is given."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or summary; errors only."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Read articles, strip page furniture, parse, and store them (re-running is safe)."""
    from redline.ingest.feeds import parse_every

    rl = redline_for(config, db).add_files(actors, rules, furniture)
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
            update_stories(rl, quiet, if_stale=True)
        if load:
            update_provenance(rl, quiet)
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

