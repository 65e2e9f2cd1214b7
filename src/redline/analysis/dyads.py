"""Dyad series: how two actors treat each other over time, and when that departs from normal.

`dyad_series` counts the events between A and B per day, week or month, by direction (A->B,
B->A, or joint: both on one side, as in "Putin and Xi met"), quad class and type, with their
mean intensity; a quiet period of the dyad's range (its first to its last period) is a row of
zero events. Asserted, non-negated events only unless `include` adds alleged, future or
hypothetical ones. `dyad_shifts` flags the periods where the dyad's count or mean intensity
leaves its own trailing baseline (a robust z-score: median and MAD of the previous `window`
periods, at least MIN_BASELINE of them) and lists the happenings of those periods as evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from redline.analysis.frames import MODALITIES, connection, relation, side_has

PERIODS = ("day", "week", "month")
FREQUENCIES = {"day": "D", "week": "W-MON", "month": "MS"}  # pandas' names for date_trunc's periods
# A period is judged against a baseline of at least this many periods before it (fewer: no shifts).
MIN_BASELINE = 8


def _modalities(include: tuple[str, ...] | list[str]) -> list[str]:
    unknown = sorted(set(include) - set(MODALITIES))
    if unknown:
        raise ValueError(f"unknown modality {', '.join(unknown)} (one of {', '.join(MODALITIES)})")
    return ["asserted", *[m for m in include if m != "asserted"]]


def dyad_rows_sql(a: str, b: str, unit: str, include: tuple[str, ...] | list[str] = ()) -> tuple[str, list]:
    """The events between A and B with a `direction` column; shared by series, shifts and rules."""
    a_src, p1 = side_has("source", a)
    b_tgt, p2 = side_has("target", b)
    b_src, p3 = side_has("source", b)
    a_tgt, p4 = side_has("target", a)
    mods = _modalities(include)
    sql = f"""
        SELECT *, CASE WHEN {a_src} AND {b_src} THEN 'joint'
                       WHEN {a_src} AND {b_tgt} THEN 'A->B'
                       WHEN {b_src} AND {a_tgt} THEN 'B->A' END AS direction
        FROM ({relation(unit)})
        WHERE NOT negated AND modality IN ({', '.join('?' * len(mods))}) AND day IS NOT NULL"""
    params = p1 + p3 + p1 + p2 + p3 + p4 + mods
    return f"SELECT * FROM ({sql}) WHERE direction IS NOT NULL", params


def dyad_series(db, a: str, b: str, by: str = "week", unit: str = "happening",
                include: tuple[str, ...] | list[str] = ()) -> pd.DataFrame:
    """One row per period x direction x quad class x type: events, mean and total intensity; a
    quiet period between the first and the last is one row of 0 events (no direction or type)."""
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r} (one of {', '.join(PERIODS)})")
    rows, params = dyad_rows_sql(a, b, unit, include)
    series = connection(db).execute(
        f"""SELECT date_trunc('{by}', day)::DATE AS period, direction, quad_class, event_type,
                   count(*) AS events, round(avg(intensity), 2) AS mean_intensity,
                   round(sum(intensity), 2) AS total_intensity
            FROM ({rows}) GROUP BY ALL ORDER BY period, direction, quad_class, event_type""",
        params,
    ).df()
    series["period"] = pd.to_datetime(series["period"]).dt.date
    return _zero_filled(series, by)


def _zero_filled(series: pd.DataFrame, by: str) -> pd.DataFrame:
    if series.empty:
        return series
    every = pd.date_range(series["period"].min(), series["period"].max(), freq=FREQUENCIES[by]).date
    quiet = sorted(set(every) - set(series["period"]))
    if not quiet:
        return series
    zeros = pd.DataFrame({"period": quiet, "direction": None, "quad_class": None, "event_type": None, "events": 0,
                          "mean_intensity": float("nan"), "total_intensity": 0.0})
    filled = pd.concat([series, zeros.astype({"events": series["events"].dtype})], ignore_index=True)
    return filled.sort_values("period", kind="stable").reset_index(drop=True)


def dyad_totals(db, a: str, b: str, by: str = "week", unit: str = "happening",
                include: tuple[str, ...] | list[str] = (), series: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per period, every period from the first to the last: events and mean intensity (0 and NaN when quiet).
    `series`: the dyad_series of the same arguments, when the caller has it already."""
    series = dyad_series(db, a, b, by, unit, include) if series is None else series
    if series.empty:
        return pd.DataFrame(columns=["period", "events", "mean_intensity"])
    totals = series.groupby("period").agg(events=("events", "sum"), total=("total_intensity", "sum"))
    totals["mean_intensity"] = (totals["total"] / totals["events"].where(totals["events"] > 0)).round(2)
    index = pd.date_range(totals.index.min(), totals.index.max(), freq=FREQUENCIES[by]).date
    totals = totals.reindex(index).rename_axis("period")
    totals["events"] = totals["events"].fillna(0).astype(int)
    return totals[["events", "mean_intensity"]].reset_index()


def robust_z(values: pd.Series, window: int, floor: float) -> pd.Series:
    """How far each value is from the median of the `window` values before it, in robust SDs
    (NaN until MIN_BASELINE values came before)."""
    past = values.shift(1).rolling(window, min_periods=MIN_BASELINE)
    median = past.median()
    mad = past.apply(lambda w: np.median(np.abs(w - np.median(w))), raw=True)  # over the same window
    return (values - median) / (1.4826 * mad).clip(lower=floor)


def dyad_shifts(db, a: str, b: str, by: str = "week", unit: str = "happening",
                include: tuple[str, ...] | list[str] = (), window: int = 8, threshold: float = 3.5,
                series: pd.DataFrame | None = None) -> pd.DataFrame:
    """Periods where the dyad's event count or mean intensity left its trailing baseline.

    Columns: period, measure (events | mean_intensity), value, baseline (trailing median), z,
    and evidence: the happenings of that period (id, date, type, direction, sentence). A period
    is judged only after MIN_BASELINE periods (`window` must hold them).
    """
    if window < MIN_BASELINE:
        raise ValueError(f"window {window}: a baseline needs at least {MIN_BASELINE} periods")
    db = connection(db)  # one connection for the series and the evidence, when given a path
    totals = dyad_totals(db, a, b, by, unit, include, series)
    columns = ["period", "measure", "value", "baseline", "z", "evidence"]
    if totals.empty:
        return pd.DataFrame(columns=columns)
    found = []
    for measure, floor in (("events", 1.0), ("mean_intensity", 1.0)):
        values = totals[measure].astype(float)
        if measure == "mean_intensity":
            values = values.ffill()  # a quiet period keeps the last mood
        z = robust_z(values, window, floor)
        baseline = values.shift(1).rolling(window, min_periods=MIN_BASELINE).median()
        for i in z.index[z.abs() >= threshold]:
            if measure == "mean_intensity" and totals.loc[i, "events"] == 0:
                continue
            found.append({"period": totals.loc[i, "period"], "measure": measure, "value": values[i],
                          "baseline": baseline[i], "z": round(float(z[i]), 2)})
    if not found:
        return pd.DataFrame(columns=columns)
    rows, params = dyad_rows_sql(a, b, unit, include)
    shifts = pd.DataFrame(found).sort_values(["period", "measure"]).reset_index(drop=True)
    periods = sorted({p for p in shifts["period"]})
    evidence = db.execute(
        f"""SELECT date_trunc('{by}', day)::DATE AS period, id, day, event_type, direction, intensity,
                   evidence[1].sentence AS sentence, sources
            FROM ({rows}) WHERE date_trunc('{by}', day)::DATE IN (SELECT unnest(?::DATE[]))
            ORDER BY day, id""",
        params + [periods],
    ).df()
    evidence["period"] = pd.to_datetime(evidence["period"]).dt.date
    evidence["day"] = pd.to_datetime(evidence["day"]).dt.date
    shifts["evidence"] = [
        evidence[evidence["period"] == p].drop(columns="period").to_dict("records") for p in shifts["period"]
    ]
    return shifts[columns]
