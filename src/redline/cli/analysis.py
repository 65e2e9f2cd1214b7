"""The commands that analyse and serve: dyads, watch rules, outlets, briefings, the web app."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Optional

import typer

from redline.cli.common import ConfigOption, DbOption, actors_text, err, out, print_columns, redline_for, to_csv
from redline.errors import BadFile, UserError

commands = typer.Typer()

QUADS = {"verbal-cooperation": "VK", "material-cooperation": "MK", "verbal-conflict": "VC", "material-conflict": "MC"}


@commands.command("dyad")
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
        found = redline_for(config, db).dyad(a, b, by=by, unit=unit, include=include, window=window, threshold=threshold)
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
    print_columns(header, rows)
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
        out.print(f"{mark}{r['status'].upper()}  {r['rule']}: {r['date']} {kind} {actors_text(r['source'])} -> "
                  f"{actors_text(r['target'])}  [{r['reason'] or r['modality']}"
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


@commands.command("watch")
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

    rl = redline_for(config, db)
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


@commands.command("outlets")
def outlets_command(
    story: Optional[str] = typer.Option(None, "--story", help="Only this running story (s-...)."),
    limit: int = typer.Option(50, help="At most this many rows per table."),
    json_out: bool = typer.Option(False, "--json", help="Print the three tables as JSON."),
    csv_out: bool = typer.Option(False, "--csv", help="Print the coverage table as CSV."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Outlets compared: coverage of happenings, their words for the same happening, their tone."""
    tables = {name: frame.to_dict("records") for name, frame in redline_for(config, db).outlets(story).items()}
    if json_out:
        out.print(json.dumps({name: rows[:limit] for name, rows in tables.items()}, ensure_ascii=False, default=str,
                             indent=1), markup=False)
    elif csv_out:
        out.print(to_csv(tables["coverage"][:limit]), markup=False, end="")
    else:
        _print_outlets(tables["coverage"][:limit], [t for t in tables["terms"] if t["differs"]], tables["tone"][:limit])
    cut = [f"{name}: {limit} of {len(rows)}" for name, rows in tables.items() if name != "terms" and len(rows) > limit]
    if cut:
        err.print(f"showing {'; '.join(cut)} (use --limit)")


def _print_outlets(coverage: list[dict], differing: list[dict], tone: list[dict]) -> None:
    out.print("Coverage (happenings covered, and missed while the outlet was on the story):")
    print_columns(("outlet", "covered", "missed", "share"),
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
    print_columns(("outlet", "country", "as source", "as target", "quotes"),
                   [(r["outlet"], r["country"], fmt(r["source_events"], r["source_intensity"]),
                     fmt(r["target_events"], r["target_intensity"]), str(r["quotes"])) for r in tone])


@commands.command("brief")
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

    if fmt not in ("html", "md"):
        raise UserError(f"unknown format {fmt!r} (html or md)")
    content = redline_for(config, db).brief(story=story, actors=actor, rules=rules)
    written = brief.write(content, output, fmt, self_contained)
    out.print(f"{content['title']}: {len(content['happenings'])} happenings, {len(content['sources'])} sources -> "
              f"{' + '.join(map(str, written))}", markup=False)


@commands.command("serve")
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
    from redline.web.startup import announce_when_ready, local_url, port_taken

    rl = redline_for(config, db)
    settings = rl.settings
    if rules:
        settings.watch_rules = str(rules)
    rl.open().close()  # a missing or foreign file: say so now, not on the first request
    if problem := port_taken(host, port):
        raise UserError(problem)
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

