"""Analysis over a Redline database, as pandas DataFrames (for notebooks) and for the CLI.

    from redline.analysis import dyad_series, dyad_shifts, watch, outlet_coverage
    weekly = dyad_series("redline.duckdb", "RUS", "UKR", by="week")

Every function takes a database path, a `redline.store.Store` or a DuckDB connection, and
counts happenings (copies of one wire story once) unless `unit="mention"`.
"""

from redline.analysis.dyads import dyad_series, dyad_shifts, dyad_totals
from redline.analysis.outlets import coverage as outlet_coverage
from redline.analysis.outlets import coverage_summary as outlet_summary
from redline.analysis.outlets import terms as outlet_terms
from redline.analysis.outlets import tone as outlet_tone
from redline.analysis.watch import Rule, evaluate, load_rules


def watch(db, rules) -> "list[dict]":
    """Alerts and near-misses of `rules` (a rules file path or a list of Rule)."""
    return evaluate(db, load_rules(rules) if not isinstance(rules, list) else rules)


__all__ = [
    "dyad_series", "dyad_shifts", "dyad_totals", "outlet_coverage", "outlet_summary", "outlet_terms", "outlet_tone",
    "watch", "load_rules", "evaluate", "Rule",
]
