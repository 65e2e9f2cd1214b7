"""Watch rules ("red lines"): what an analyst wants to be told about, with the evidence.

A rules file (YAML) holds a list of rules. A happening rule names what must have happened:

    - name: China gives Russia military aid
      type: AID                 # a PLOVER type, or a list of them
      mode: military            # optional
      source: CHN               # actor: ISO3, or ISO3:SECTOR; a list means any of them
      target: RUS
      modality: [asserted]      # what counts as the line crossed (default: asserted)
      min_sources: 2            # independent sources needed (copies count once; default 1)

    - name: Any assault in Ukraine
      type: ASSAULT
      where: UKR                # the place's country, or a target of that country

    - name: New talks between the US and China
      type: CONSULT
      between: [USA, CHN]       # both parties, in either direction or jointly
      new_after_days: 90        # only when there was none in the 90 days before

A series rule watches a dyad's weekly mean intensity:

    - name: Russia hostile to Ukraine for two weeks
      source: RUS
      target: UKR
      intensity_below: -5       # or intensity_above
      weeks: 2                  # consecutive weeks

Each match is an *alert* when the happening is asserted (or has an allowed modality), not
negated and has enough sources; when only those conditions fail - negated, alleged, future,
hypothetical, or too few sources - it is a *near-miss*, reported separately and never as an
alert: "Washington says China is considering weapons for Russia" is a warning sign, not a
crossed line. Alerts whose happening some source disputes say so.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from redline import schemas
from redline.analysis.dyads import dyad_rows_sql
from redline.analysis.frames import MODALITIES, connection, parse_actor, relation, side_has

EVENT_KEYS = {"name", "type", "mode", "source", "target", "between", "where", "modality", "min_sources",
              "new_after_days", "unit"}
SERIES_KEYS = {"name", "source", "target", "intensity_below", "intensity_above", "weeks", "modality", "unit"}


def _list(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@dataclass
class Rule:
    name: str
    types: list[str] = field(default_factory=list)
    mode: str | None = None
    sources: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    between: list[str] = field(default_factory=list)
    where: str | None = None
    modality: list[str] = field(default_factory=lambda: ["asserted"])
    min_sources: int = 1
    new_after_days: int | None = None
    intensity_below: float | None = None
    intensity_above: float | None = None
    weeks: int = 1
    unit: str = "happening"

    @property
    def is_series(self) -> bool:
        return self.intensity_below is not None or self.intensity_above is not None


def load_rules(path: str | Path) -> list[Rule]:
    """Read and check a rules file; every problem is one line naming the file and the rule."""
    path = Path(path)
    data = schemas.read(path, "watch")  # keys, types and choices: redline.schemas.files.WATCH
    items = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise ValueError(f"{path}: expected a list of rules (or `rules:` holding one)")
    rules = []
    for n, item in enumerate(items, 1):
        where = f"{path}: rule {n}"
        if not isinstance(item, dict) or not item.get("name"):
            raise ValueError(f"{where}: each rule is a mapping with a `name`")
        where = f"{path}: rule {item['name']!r}"
        series = "intensity_below" in item or "intensity_above" in item
        unknown = sorted(set(item) - (SERIES_KEYS if series else EVENT_KEYS))
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}")
        try:
            rule = Rule(
                name=str(item["name"]), types=[t.upper() for t in _list(item.get("type"))], mode=item.get("mode"),
                sources=_list(item.get("source")), targets=_list(item.get("target")),
                between=_list(item.get("between")), where=item.get("where"),
                modality=_list(item.get("modality")) or ["asserted"], min_sources=int(item.get("min_sources", 1)),
                new_after_days=item.get("new_after_days"), intensity_below=item.get("intensity_below"),
                intensity_above=item.get("intensity_above"), weeks=int(item.get("weeks", 1)),
                unit=item.get("unit", "happening"),
            )
            for spec in rule.sources + rule.targets + rule.between + ([rule.where] if rule.where else []):
                parse_actor(spec)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{where}: {err}") from None
        bad = sorted(set(rule.modality) - set(MODALITIES))
        if bad:
            raise ValueError(f"{where}: unknown modality {', '.join(bad)} (one of {', '.join(MODALITIES)})")
        if rule.between and len(rule.between) != 2:
            raise ValueError(f"{where}: `between` names exactly two actors")
        if series and not (rule.sources and rule.targets):
            raise ValueError(f"{where}: an intensity rule needs one `source` and one `target`")
        if not series and not (rule.types or rule.sources or rule.targets or rule.between or rule.where):
            raise ValueError(f"{where}: the rule matches everything; give a type, actors or a place")
        rules.append(rule)
    return rules


def _pattern(rule: Rule) -> tuple[str, list]:
    """SQL for what a happening must look like, whatever its modality and negation."""
    conditions, params = [], []
    if rule.types:
        conditions.append(f"event_type IN ({', '.join('?' * len(rule.types))})")
        params += rule.types
    if rule.mode:
        conditions.append("mode = ?")
        params.append(rule.mode)
    for column, specs in (("source", rule.sources), ("target", rule.targets)):
        if specs:
            parts = [side_has(column, s) for s in specs]
            conditions.append("(" + " OR ".join(p[0] for p in parts) + ")")
            params += [x for p in parts for x in p[1]]
    if rule.between:
        a, b = rule.between
        (a_s, pa_s), (b_t, pb_t), (b_s, pb_s), (a_t, pa_t) = (
            side_has("source", a), side_has("target", b), side_has("source", b), side_has("target", a))
        conditions.append(f"(({a_s} AND ({b_t} OR {b_s})) OR ({b_s} AND ({a_t} OR {a_s})))")
        params += pa_s + pb_t + pb_s + pb_s + pa_t + pa_s
    if rule.where:
        country, _ = parse_actor(rule.where)
        target, tp = side_has("target", country)
        conditions.append(f"(location.country = ? OR {target})")
        params += [country] + tp
    return " AND ".join(conditions) or "true", params


def _why_not(row: dict, rule: Rule) -> str | None:
    """None when the happening crosses the line; else why it is only a near-miss."""
    if row["negated"]:
        return "negated"
    if row["modality"] not in rule.modality:
        who = f" (per {row['attributed_to']})" if row.get("attributed_to") else ""
        return f"{row['modality']}{who}"
    if row["sources"] < rule.min_sources:
        return f"{row['sources']} source{'s' if row['sources'] != 1 else ''} of {rule.min_sources} needed"
    return None


def _record(rule: Rule, row: dict, status: str, reason: str | None) -> dict:
    return {
        "rule": rule.name, "status": status, "reason": reason, "happening_id": row["id"],
        "date": row["day"], "event_type": row["event_type"], "mode": row["mode"],
        "source": row["source"], "target": row["target"], "modality": row["modality"],
        "negated": bool(row["negated"]), "disputed": bool(row["disputed"]), "sources": row["sources"],
        "outlets": list(row["outlets"]), "first_reported": row["first_reported"],
        "evidence": [dict(e) for e in row["evidence"]],
    }


def _happening_matches(con, rule: Rule) -> list[dict]:
    where, params = _pattern(rule)
    cur = con.execute(f"SELECT * FROM ({relation(rule.unit)}) WHERE {where} ORDER BY day NULLS LAST, id", params)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    out, last_alert_day = [], None
    for row in rows:
        reason = _why_not(row, rule)
        if reason is None and rule.new_after_days is not None and row["day"] is not None:
            if last_alert_day is not None and (row["day"] - last_alert_day).days <= rule.new_after_days:
                last_alert_day = row["day"]
                continue  # not new: the same thing happened recently
            last_alert_day = row["day"]
        out.append(_record(rule, row, "alert" if reason is None else "near-miss", reason))
    return out


def _series_matches(con, rule: Rule) -> list[dict]:
    extra = tuple(m for m in rule.modality if m != "asserted")
    rows, params = dyad_rows_sql(rule.sources[0], rule.targets[0], rule.unit, extra)
    weeks = con.execute(
        f"""SELECT date_trunc('week', day)::DATE AS week, avg(intensity) AS mean_intensity, count(*) AS events,
                   list(id ORDER BY day) AS ids, list(evidence[1].sentence ORDER BY day) AS sentences,
                   list(DISTINCT o ORDER BY o) FILTER (WHERE o IS NOT NULL) AS outlets
            FROM (SELECT *, unnest(CASE WHEN len(outlets) = 0 THEN [NULL] ELSE outlets END) AS o FROM ({rows})
                  WHERE direction = 'A->B')
            GROUP BY ALL ORDER BY week""",
        params,
    ).fetchall()
    out, run = [], []

    def crosses(mean: float) -> bool:
        return (rule.intensity_below is not None and mean < rule.intensity_below) or \
            (rule.intensity_above is not None and mean > rule.intensity_above)

    previous = None
    for week, mean, events, ids, sentences, outlets in weeks:
        consecutive = previous is not None and (week - previous).days == 7
        previous = week
        if not crosses(mean):
            if run and len(run) < rule.weeks:
                out.append(_series_record(rule, run, "near-miss", f"{len(run)} week(s) of {rule.weeks} needed"))
            run = []
            continue
        run = (run if consecutive else []) + [(week, mean, events, ids, sentences, outlets)]
        if len(run) == rule.weeks:
            out.append(_series_record(rule, run, "alert", None))
        elif len(run) > rule.weeks:
            out[-1] = _series_record(rule, run, "alert", None)
    if run and len(run) < rule.weeks:
        out.append(_series_record(rule, run, "near-miss", f"{len(run)} week(s) of {rule.weeks} needed"))
    return out


def _series_record(rule: Rule, run: list[tuple], status: str, reason: str | None) -> dict:
    weeks = [r[0] for r in run]
    return {
        "rule": rule.name, "status": status, "reason": reason, "happening_id": None,
        "date": weeks[0], "until": weeks[-1] + dt.timedelta(days=6),
        "mean_intensity": [round(r[1], 2) for r in run], "events": sum(r[2] for r in run),
        "happening_ids": [i for r in run for i in r[3]], "outlets": sorted({o for r in run for o in (r[5] or [])}),
        "evidence": [s for r in run for s in r[4]],
    }


def evaluate(db, rules: list[Rule]) -> list[dict]:
    """Alerts and near-misses of every rule, in rule order then date order."""
    con = connection(db)
    found = []
    for rule in rules:
        found += _series_matches(con, rule) if rule.is_series else _happening_matches(con, rule)
    return found


def alert_key(record: dict) -> str:
    """What makes an alert the same alert on the next run (for --state and webhooks)."""
    return f"{record['rule']}|{record.get('happening_id') or record['date']}"


def post_webhook(url: str, record: dict, timeout: float = 10.0) -> int:
    """POST one alert as JSON; returns the HTTP status (raises on network errors)."""
    body = json.dumps(record, default=str, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "redline-watch"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the analyst's own URL
        return response.status
