"""What the web pages and the briefing both show: Plotly figures, actors as text, safe links, JSON.

Plain functions of plain records (as `redline.queries` returns them): no database here.
"""

from __future__ import annotations

import datetime as dt

from redline.queries.records import OPENING


QUAD_COLOURS = {"verbal-cooperation": "#54a24b", "material-cooperation": "#2f7d32",
                "verbal-conflict": "#f58518", "material-conflict": "#e45756"}


HEADLINE_WORDS = 12


def headline(article: dict) -> str:
    """An article's title; without one, the first words of its text ("Russia said on Monday…");
    the id only when there is no text either (never a 64-character hash for a title)."""
    title = " ".join(str(article.get("title") or "").split())
    if title:
        return title
    words = str(article.get("opening") or article.get("text") or "")[:OPENING].split()
    if not words:
        return str(article.get("id") or "untitled")
    return " ".join(words[:HEADLINE_WORDS]) + ("…" if len(words) > HEADLINE_WORDS else "")


def actors_text(actors: list[dict] | None) -> str:
    """"Vladimir Putin (RUS), Xi Jinping (CHN)", or a dash for nobody."""
    return ", ".join(f"{a['name']} ({a['country'] or '?'})" for a in actors or []) or "–"


def happenings_chart(happenings: list[dict], title: str) -> dict:
    """A Plotly figure: dated happenings over time, one row per type, sized by independent
    sources, coloured by quad class (negated ones left out)."""
    items = [h for h in happenings if h["date"] and not h["negated"]]
    return {
        "data": [{
            "type": "scatter", "mode": "markers",
            "x": [str(h["date"]) for h in items], "y": [h["event_type"] for h in items],
            "text": [f"{h['event_type']} · {', '.join(h['outlets']) or 'outlet unknown'}" for h in items],
            "hoverinfo": "x+text",
            "marker": {"size": [10 + 6 * min(h["sources"], 5) for h in items],
                       "color": [QUAD_COLOURS.get(h["quad_class"], "#999") for h in items]},
        }],
        "layout": {"title": {"text": title}, "height": 340, "yaxis": {"type": "category"},
                   "margin": {"l": 100, "r": 20, "t": 40, "b": 40}},
    }


def dyad_chart(data: dict) -> dict:
    by_direction: dict[str, dict[str, int]] = {}
    intensity: dict[str, list[float]] = {}
    for row in data["series"]:
        period = str(row["period"])
        if not row["direction"]:  # a quiet period: on the axis, with no bar
            intensity.setdefault(period, [])
            continue
        by_direction.setdefault(row["direction"], {}).setdefault(period, 0)
        by_direction[row["direction"]][period] += int(row["events"])
        intensity.setdefault(period, []).append(float(row["total_intensity"]))
    names = {"A->B": f"{data['a']} → {data['b']}", "B->A": f"{data['b']} → {data['a']}", "joint": "joint"}
    traces = [{"type": "bar", "name": names.get(d, d), "x": list(v), "y": list(v.values())} for d, v in by_direction.items()]
    periods = sorted(intensity)
    counts = {p: sum(v.get(p, 0) for v in by_direction.values()) for p in periods}
    traces.append({"type": "scatter", "mode": "lines+markers", "name": "mean intensity", "yaxis": "y2", "x": periods,
                   "y": [round(sum(intensity[p]) / counts[p], 2) if counts[p] else None for p in periods]})
    return {"data": traces, "layout": {"barmode": "stack", "height": 340, "title": {"text": "Events per " + data["by"]},
                                       "yaxis": {"title": {"text": "events"}, "rangemode": "tozero", "tickformat": "d"},
                                       # Goldstein-like intensity runs from -10 to +10: ticks at whole fives.
                                       "yaxis2": {"overlaying": "y", "side": "right", "range": [-10, 10], "dtick": 5,
                                                  "title": {"text": "mean intensity"}, "showgrid": False},
                                       "legend": {"orientation": "h"},
                                       "margin": {"l": 40, "r": 40, "t": 40, "b": 40}}}


def web_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None: a stored "javascript:..." must never become a link."""
    if url and url.strip().lower().startswith(("http://", "https://")) and not any(c in url for c in "\"'<> "):
        return url.strip()
    return None


def jsonable(value):
    """Dates as ISO strings, numpy numbers as Python ones, NaN as None, all the way down."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


# The grade a line of a briefing or a story page leads with: the one a reader most needs to know of.
LEAD_GRADES = (("altered", "altered from"), ("not_found", "nowhere in"), ("trimmed", "trimmed from"),
               ("paraphrase", "paraphrases of"), ("verbatim", "verbatim from"))


def provenance_lines(by_speaker: list[dict], scope: str) -> list[str]:
    """"3 of 5 John Kirby quotes in this story are altered from the transcript; 1 trimmed, 1
    verbatim.": per speaker whose quotes were checked (redline.provenance), most quoted first."""
    lines = []
    for r in by_speaker:
        record = "the transcript" if r["from_transcript"] or r["not_found"] else "earlier quotes"
        counts = [(key, phrase, r[key]) for key, phrase in LEAD_GRADES if r[key]]
        key, phrase, n = counts[0]
        rest = ", ".join(f"{k} {key.replace('_', ' ')}" for key, _, k in counts[1:])
        record = "the transcripts" if key == "not_found" else record
        lines.append(f"{n} of {r['graded']} {r['speaker_name']} quotes in this {scope} "
                     f"{'is' if n == 1 else 'are'} {phrase} {record}" + (f"; {rest}." if rest else "."))
    return lines
