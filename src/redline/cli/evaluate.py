"""`redline eval`: scores against gold files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from redline.cli.common import ConfigOption, out, redline_for
from redline.errors import BadFile

eval_app = typer.Typer(help="Score Redline against gold files.", no_args_is_help=True)

SharedOption = typer.Option(Path("../shared"), help="Where gold lines that name a seed or benchmark page find it.")
ErrorsOption = typer.Option(False, "--errors", help="Also list every miss, spurious find and wrong attribute.")
JsonOption = typer.Option(False, "--json", help="Print the figures as JSON.")
SplitOption = typer.Option(None, "--split", help="Only this split of a gold set (train, or the frozen test).")


def _evaluate(gold: Path, shared: Path, config: Optional[Path], evaluator, json_out: bool, split: Optional[str] = None):
    """Load a gold file and score it; the summary goes out as JSON when asked."""
    from redline.evaluate import load_gold
    from redline.nlp import pipeline_key

    settings = redline_for(config, None).settings
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
