"""Outlet comparison: what each outlet covered and missed, its words for the same thing, its tone.

- Coverage: happenings x outlets. A happening "missed" by an outlet is one that another outlet
  reported while the outlet was covering the same running story (between its first and last
  article on it, give or take `SLACK_DAYS`).
- Terms: for each happening reported by several outlets, the words each outlet's sentence uses
  at the event's trigger ("special military operation", "invasion", "war"), so outlets are
  compared on the same happening, not on word lists.
- Tone: per outlet and country, the mean intensity of the events it reports with the country
  as source and as target, and how many of its quotes come from that country's speakers.
"""

from __future__ import annotations

import re

import pandas as pd
from spacy.lang.en.stop_words import STOP_WORDS

from redline.analysis.frames import connection
from redline.model import UNFIRM_MODALITIES

WORD = re.compile(r"[\w’'-]+")
SLACK_DAYS = 3


def _story_filter(story: str | None, column: str = "h.story_id") -> tuple[str, list]:
    return (f"{column} = ?", [story]) if story else ("true", [])


def coverage(db, story: str | None = None) -> pd.DataFrame:
    """One row per (happening, outlet) the outlet could have covered: covered True/False."""
    where, params = _story_filter(story)
    return connection(db).execute(
        f"""WITH h AS (SELECT * FROM happenings h WHERE {where} AND NOT negated AND modality NOT IN {UNFIRM_MODALITIES}),
                 active AS (SELECT s.story_id, a.outlet, min(a.published) AS first, max(a.published) AS last
                            FROM article_stories s JOIN articles a ON a.id = s.article_id
                            WHERE a.outlet IS NOT NULL GROUP BY ALL)
            SELECT h.id AS happening_id, h.date, h.event_type, h.story_id, active.outlet,
                   list_contains(h.outlets, active.outlet) AS covered, h.sources
            FROM h JOIN active ON active.story_id = h.story_id
            WHERE list_contains(h.outlets, active.outlet) OR h.first_reported IS NULL
               OR h.first_reported BETWEEN active.first - {SLACK_DAYS} AND active.last + {SLACK_DAYS}
            ORDER BY h.date NULLS LAST, h.id, active.outlet""",
        params,
    ).df()


def coverage_summary(db, story: str | None = None) -> pd.DataFrame:
    """Per outlet: happenings it covered, and those it missed while on the story."""
    cov = coverage(db, story)
    if cov.empty:
        return pd.DataFrame(columns=["outlet", "covered", "missed", "share"])
    summary = cov.groupby("outlet").agg(covered=("covered", "sum"), could=("covered", "size"))
    summary["missed"] = summary["could"] - summary["covered"]
    summary["share"] = (summary["covered"] / summary["could"]).round(2)
    return summary.drop(columns="could").sort_values(["covered", "outlet"], ascending=[False, True]).reset_index()


def trigger_phrase(sentence: str, start: int, end: int) -> str:
    """The trigger with the lower-case content words right before it ("special military operation")."""
    before = WORD.findall(sentence[:start])
    words = []
    for w in reversed(before[-2:]):
        if w.islower() and w not in STOP_WORDS:
            words.insert(0, w)
        else:
            break
    return " ".join(words + [sentence[start:end].lower()])


def terms(db, story: str | None = None) -> pd.DataFrame:
    """Per happening reported by two or more outlets: each outlet's words for it."""
    where, params = _story_filter(story)
    rows = connection(db).execute(
        f"""SELECT h.id AS happening_id, h.event_type, a.outlet, e.evidence, e.trigger_start - e.start_char AS ts,
                   e.trigger_end - e.start_char AS te
            FROM happenings h JOIN happening_events he ON he.happening_id = h.id
            JOIN events e ON e.id = he.event_id JOIN articles a ON a.id = e.article_id
            WHERE {where} AND len(h.outlets) >= 2 AND a.outlet IS NOT NULL AND e.trigger_start IS NOT NULL""",
        params,
    ).fetchall()
    out = pd.DataFrame(
        [(h, t, o, trigger_phrase(s, ts, te)) for h, t, o, s, ts, te in rows],
        columns=["happening_id", "event_type", "outlet", "phrase"],
    )
    if out.empty:
        return out.assign(outlets_using=pd.Series(dtype=int), differs=pd.Series(dtype=bool))
    out = out.drop_duplicates()
    per = out.groupby(["happening_id", "phrase"])["outlet"].transform("nunique")
    out["outlets_using"] = per
    # A phrase "differs" when another outlet named the same happening with other words.
    names = out.groupby("happening_id")["phrase"].transform("nunique")
    out["differs"] = names > 1
    return out.sort_values(["happening_id", "outlet", "phrase"]).reset_index(drop=True)


def tone(db, story: str | None = None) -> pd.DataFrame:
    """Per outlet and country: events reported with it as source / target, their mean intensity, quotes."""
    where, params = _story_filter(story)
    con = connection(db)
    events = con.execute(
        f"""WITH m AS (
                SELECT a.outlet, e.intensity, e.source, e.target FROM events e
                JOIN articles a ON a.id = e.article_id
                LEFT JOIN article_stories h ON h.article_id = e.article_id
                WHERE {where} AND a.outlet IS NOT NULL AND NOT e.negated AND e.modality = 'asserted')
            SELECT outlet, country, side, count(*) AS events, round(avg(intensity), 2) AS mean_intensity FROM (
                SELECT outlet, intensity, unnest(list_distinct(list_transform(source, lambda x: x.country))) AS country,
                       'as source' AS side FROM m
                UNION ALL
                SELECT outlet, intensity, unnest(list_distinct(list_transform(target, lambda x: x.country))), 'as target'
                FROM m)
            WHERE country IS NOT NULL GROUP BY ALL""",
        params,
    ).df()
    quotes = con.execute(
        f"""SELECT a.outlet, q.speaker_country AS country, count(*) AS quotes FROM quotes q
            JOIN articles a ON a.id = q.article_id LEFT JOIN article_stories h ON h.article_id = q.article_id
            WHERE {where} AND a.outlet IS NOT NULL AND q.speaker_country IS NOT NULL GROUP BY ALL""",
        params,
    ).df()
    if events.empty and quotes.empty:
        return pd.DataFrame(columns=["outlet", "country", "source_events", "source_intensity",
                                     "target_events", "target_intensity", "quotes"])
    wide = events.pivot_table(index=["outlet", "country"], columns="side", values=["events", "mean_intensity"])
    wide.columns = [f"{'source' if side == 'as source' else 'target'}_{'events' if v == 'events' else 'intensity'}"
                    for v, side in wide.columns]
    table = wide.reset_index().merge(quotes, on=["outlet", "country"], how="outer")
    for column in ("source_events", "target_events", "quotes"):
        if column not in table:
            table[column] = 0
        table[column] = table[column].fillna(0).astype(int)
    for column in ("source_intensity", "target_intensity"):
        if column not in table:
            table[column] = float("nan")
    return table[["outlet", "country", "source_events", "source_intensity", "target_events", "target_intensity",
                  "quotes"]].sort_values(["outlet", "country"]).reset_index(drop=True)
