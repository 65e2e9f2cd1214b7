"""The commands that list and show what is stored: articles, actors, quotes, events, stories,
timelines, the summary, and exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from redline.cli.common import (ConfigOption, CsvOption, DbOption, JsonOption, OffsetOption, actors_text, emit, out,
                                print_columns, redline_for, update_provenance, update_stories)
from redline.errors import InputError, UserError
from redline.export import DATASETS, FORMATS
from redline.export import export as export_dataset
from redline.queries.browse import STATUSES

SUMMARY_FAILURES = 20  # failed articles `redline summary` lists one by one

commands = typer.Typer()

@commands.command()
def articles(
    outlet: Optional[str] = typer.Option(None, help="Only this outlet."),
    limit: int = typer.Option(100, help="At most this many rows."),
    offset: int = OffsetOption,
    json_out: bool = JsonOption,
    csv_out: bool = CsvOption,
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """List stored articles."""
    emit(redline_for(config, db).articles(limit=limit, offset=offset, outlet=outlet), json_out, csv_out, lambda rows: print_columns(
        ("id", "published", "outlet", "lang", "sentences", "removed", "title"),
        [(r["id"], str(r["published"] or ""), r["outlet"] or "", r["language"] or "", str(r["n_sentences"]),
          str(r["removed"]), r["title"] or "") for r in rows]))


@commands.command()
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
    article = redline_for(config, db).article(article_id, source_path=True)
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


@commands.command("actors")
def actors_command(
    country: Optional[str] = typer.Option(None, help="Only actors of this country (ISO3 or IGO code)."),
    kind: Optional[str] = typer.Option(None, help="person, organisation or state."),
    limit: int = typer.Option(50, help="At most this many rows."),
    offset: int = OffsetOption,
    json_out: bool = JsonOption,
    csv_out: bool = CsvOption,
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Actors by number of mentions, with the articles they appear in."""
    emit(redline_for(config, db).actors(country=country, kind=kind, limit=limit, offset=offset), json_out, csv_out, lambda rows: print_columns(
        ("actor", "kind", "country", "sector", "mentions", "articles", "role"),
        [(r["name"], r["kind"], r["country"] or "", r["sector"] or "", str(r["mentions"]), str(r["articles"]),
          r["role"] or "") for r in rows]))


@commands.command("quotes")
def quotes_command(
    speaker: Optional[str] = typer.Option(None, help="Speakers whose name contains this."),
    country: Optional[str] = typer.Option(None, help="Speakers of this country (ISO3 or IGO code)."),
    kind: Optional[str] = typer.Option(None, help="direct, partial, indirect; in transcripts statement or question."),
    grade: Optional[str] = typer.Option(None, help="Provenance: verbatim, trimmed, altered, paraphrase or not-found."),
    outlet: Optional[str] = typer.Option(None, help="Only quotes in articles of this outlet."),
    limit: int = typer.Option(50, help="At most this many quotes."),
    offset: int = OffsetOption,
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
            out.print(f"            — {r['article_id']}{provenance_text(r['provenance'])}", markup=False)

    emit(redline_for(config, db).quotes(speaker=speaker, country=country, kind=kind, grade=grade, outlet=outlet,
                                         limit=limit, offset=offset),
         json_out, csv_out, text)


def provenance_text(p: dict | None) -> str:
    """", altered from wh-2023-03-21-1b4fa309 (0.69): 'over years now' -> 'over the years how'"."""
    if not p:
        return ""
    if p["grade"] == "not found":
        return "; not found in the speaker's transcripts"
    changes = "; ".join(f"{d['source'] or '∅'!r} -> {d['quote'] or '∅'!r}" for d in p.get("diff", []) if d["op"] != "delete")
    return f"; {p['grade']} from {p['article_id']} ({p['similarity']:.2f}){': ' + changes if changes and p['grade'] == 'altered' else ''}"


@commands.command("provenance")
def provenance_command(
    rebuild: bool = typer.Option(False, "--rebuild", help="Grade every quote again, not only the new ones."),
    show: Optional[str] = typer.Option(None, "--show", help="Show this quote (id) beside its source passage instead."),
    json_out: bool = JsonOption,
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Check quotes against the primary record: each news quote beside its speaker's transcript
    statements and earlier quotes, graded verbatim, trimmed, altered, paraphrase or not found."""
    rl = redline_for(config, db)
    if show is None:
        update_provenance(rl, quiet=False, rebuild=rebuild)
        return
    record = rl.quote_provenance(show)
    if json_out:
        out.print(json.dumps(record, ensure_ascii=False, default=str, indent=1), markup=False)
        return
    q, source = record["quote"], record["source"]
    out.print(f"{q['published']}  {q['speaker_name'] or '(speaker unknown)'} [{q['kind']}] in {q['article_id']}", markup=False)
    out.print(f"  quote:  “{q['text']}”", markup=False)
    if source:
        out.print(f"  source: {source['article_id']} ({source['outlet'] or '?'}, {source['published']}), "
                  f"{record['grade']}, similarity {record['similarity']:.2f}", markup=False)
        out.print(f"          “{source['passage']}”", markup=False)
        for d in record["diff"]:
            out.print(f"          {d['op']:8} {d['source'] or '∅'!r} -> {d['quote'] or '∅'!r}", markup=False)
    else:
        out.print(f"  source: {record['grade'] or 'no primary source of this speaker up to that day'}", markup=False)


@commands.command("events")
def events_command(
    event_type: Optional[str] = typer.Option(None, "--type", help="A PLOVER type (AID, CONSULT, ASSAULT ...)."),
    country: list[str] = typer.Option([], help="Events with this country (ISO3) as source or target; twice for a pair: "
                                                "what each did to the other."),
    outlet: Optional[str] = typer.Option(None, help="Only events in articles of this outlet."),
    since: Optional[str] = typer.Option(None, help="Events on or after this date (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, help="Events on or before this date (YYYY-MM-DD)."),
    status: list[str] = typer.Option([], help=f"Only events of this status ({', '.join(STATUSES)}); again for more. "
                                              "Instead of the default, asserted."),
    min_confidence: Optional[float] = typer.Option(None, min=0, max=1, help="Only events of at least this confidence (0 to 1)."),
    all_: bool = typer.Option(False, "--all", help="Also negated, future, hypothetical and alleged events."),
    limit: int = typer.Option(50, help="At most this many events."),
    offset: int = OffsetOption,
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
            out.print(f"{when:11} {kind:22} {actors_text(r['source'])} -> {actors_text(r['target'])}  [{', '.join(flags)}]", markup=False)
            out.print(f"            “{r['evidence']}” — {r['article_id']}", markup=False)

    found = redline_for(config, db).events(event_type=event_type, country=country, asserted_only=not all_, limit=limit, offset=offset,
                                           outlet=outlet, since=since, until=until, statuses=status,
                                           min_confidence=min_confidence)
    emit(found, json_out, csv_out, text)


@commands.command("stories")
def stories_command(
    rebuild: bool = typer.Option(False, "--rebuild", help="Recompute copies, stories and happenings from all stored articles first (otherwise only articles not yet placed are)."),
    limit: int = typer.Option(20, help="At most this many running stories."),
    offset: int = OffsetOption,
    json_out: bool = JsonOption,
    csv_out: bool = CsvOption,
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Running stories, newest first, with their happenings (article clusters) and copies."""
    rl = redline_for(config, db)
    if rebuild:
        update_stories(rl, quiet=False, if_stale=False, rebuild=True)

    def text(rows: list[dict]) -> None:
        for story in rows:
            out.print(f"{story['id']}  {story['first_date']} .. {story['last_date']}  {story['articles']} articles, "
                      f"{story['sources']} independent  {story['label']}", markup=False)
            for h in story["parts"]:
                out.print(f"  {h['id']}  {h['first_date']}  {h['label']}", markup=False)
                for a in h["articles"]:
                    note = f"  ({a['relation']} of {a['derived_from']}, {a['similarity']:.2f})" if a["relation"] else ""
                    out.print(f"      {a['id']}{note}", markup=False)

    emit(rl.story_tree(limit=limit, offset=offset), json_out, csv_out, text)


@commands.command("timeline")
def timeline_command(
    story: Optional[str] = typer.Option(None, "--story", help="A running story (s-...) or happening (h-...) id."),
    actor: list[str] = typer.Option([], "--actor", help="A country (ISO3); twice for a pair."),
    all_: bool = typer.Option(False, "--all", help="Also happenings that every source negates, and hypothetical ones."),
    limit: int = typer.Option(200, help="At most this many happenings."),
    offset: int = OffsetOption,
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
            out.print(f"{when:11} {kind:22} {actors_text(h['source'])} -> {actors_text(h['target'])}  "
                      f"[{', '.join(flags)}; {sources}: {', '.join(h['outlets']) or 'outlet unknown'}]", markup=False)
            lead = h["evidence"][0]  # the mention the happening's fields come from
            out.print(f"            “{lead['sentence']}” — {lead['article_id']}", markup=False)
            for e in h["evidence"]:
                if e["negated"] and not h["negated"]:
                    out.print(f"            disputed: “{e['sentence']}” — {e['article_id']}", markup=False)

    found = redline_for(config, db).timeline(story=story, actors=actor, include_unfirm=all_, limit=limit, offset=offset)
    emit(found, json_out, csv_out, text)


@commands.command()
def summary(db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption) -> None:
    """What the database holds: articles, outlets, dates, languages, furniture removed."""
    rl = redline_for(config, db)
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


@commands.command("export")
def export_command(
    dataset: str = typer.Argument(..., help=f"One of: {', '.join(DATASETS)}."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help=f"One of: {', '.join(FORMATS)}."),
    output: Path = typer.Option(..., "--output", "-o", help="File to write."),
    db: Optional[Path] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Write a table (articles, sentences, quotes, events, happenings, stories) as JSONL, CSV or Parquet."""
    with redline_for(config, db).open() as store:
        try:
            rows = export_dataset(store, dataset, fmt, output)
        except ValueError as e:
            raise UserError(str(e)) from None
    out.print(f"{rows} {dataset} -> {output}", markup=False)

