"""`redline brief`: a briefing (HTML, or Markdown) on a story or on actors.

The HTML opens offline: Plotly's JavaScript is written once beside it (`plotly.min.js`, 4.6 MB,
shared by every briefing in the folder) or, with `self_contained`, inlined in the one file. The
chart data sits in JSON blocks (with `<` escaped, so no text can close the script element), and
all article text goes through Jinja2's autoescaping. Every claim carries a citation [n] to the
sources list. The title says what the briefing covers: the story, or the actors (else the
countries most involved), and the dates of its happenings.

The summary is extractive: evidence sentences of the happenings in scope that were not
negated or merely hypothetical, scored by how many independent sources carry them times how
central they are (mean word overlap with the other candidates), the best five in date order.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections import Counter
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from redline import queries
from redline.analysis.outlets import coverage_summary, terms
from redline.model import UNFIRM_MODALITIES
from redline.render import QUAD_COLOURS, actors_text, happenings_chart, jsonable, provenance_lines, web_url
from redline.stories.copies import content_words

HERE = Path(__file__).parent


def scope(con: duckdb.DuckDBPyConnection, story: str | None, actors: list[str]) -> tuple[str, list[dict]]:
    """A title and the happenings in scope (a story's, or those with all these countries)."""
    happenings = queries.timeline(con, story, actors, include_unfirm=True, limit=None)["items"]  # checks both
    title = queries.story(con, story)["label"] if story else "All happenings"
    if actors:
        title = (title + " · " if story else "") + " and ".join(a.upper() for a in actors)
    return title, happenings


def heading(story_label: str | None, actors: list[str], happenings: list[dict], rules: str | None = None) -> tuple[str, str]:
    """The title, by what the briefing covers, and a line saying how its happenings were chosen."""
    names = country_names()
    if story_label:
        what, chosen = story_label, "the happenings of one story"
    elif actors:
        what = _and([names.get(a.upper(), a.upper()) for a in actors])
        chosen = "the happenings that involve " + ("both " if len(actors) == 2 else "") + what
    else:
        counts = Counter(a["country"] for h in happenings for a in {a["country"]: a for a in h["source"] + h["target"]
                                                                   if a["country"]}.values())
        top = [names.get(code, code) for code, _ in counts.most_common(3)]
        more = len(counts) - len(top)
        what = _and(top + ([f"{more} other{'s' if more > 1 else ''}"] if more else [])) or "Nothing stored yet"
        chosen = "every happening stored"
    days = sorted(h["date"] for h in happenings if h["date"])
    if days:
        span = _day(days[0]) if days[0] == days[-1] else f"{_day(days[0])} to {_day(days[-1])}"
        what = f"{what}, {span}"
    if rules:
        chosen += f", with the alerts of the watch rules in {rules}"
    return what, chosen


def _and(items: list[str]) -> str:
    return " and ".join(items) if len(items) <= 2 else ", ".join(items[:-1]) + " and " + items[-1]


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def country_names() -> dict[str, str]:
    """ISO3 -> the name news uses: the first name in data/countries.yaml, else pycountry's."""
    import pycountry

    from redline.yamlfiles import shipped

    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update({code: entry["names"][0] for code, entry in (shipped("countries.yaml").get("countries") or {}).items()
                  if entry and entry.get("names")})
    return names


def summary_sentences(happenings: list[dict], n: int = 5) -> list[dict]:
    candidates = []
    for h in happenings:
        if h["negated"] or h["modality"] in UNFIRM_MODALITIES:
            continue
        lead = h["evidence"][0]
        candidates.append({"sentence": lead["sentence"], "article_id": lead["article_id"], "date": h["date"],
                           "sources": h["sources"], "words": content_words(lead["sentence"])})
    for c in candidates:
        others = [o for o in candidates if o is not c]
        overlap = [len(c["words"] & o["words"]) / (len(c["words"] | o["words"]) or 1) for o in others]
        c["score"] = c["sources"] * (1 + (sum(overlap) / len(overlap) if overlap else 0))
    seen, best = set(), []
    for c in sorted(candidates, key=lambda c: -c["score"]):
        if c["sentence"] not in seen:
            seen.add(c["sentence"])
            best.append(c)
        if len(best) == n:
            break
    return sorted(best, key=lambda c: (c["date"] or dt.date.max))


def relations_figure(happenings: list[dict]) -> dict:
    """Countries as nodes on a circle, an edge per source->target pair: width by happenings, colour by quad class."""
    edges: dict[tuple[str, str], Counter] = {}
    for h in happenings:
        if h["negated"]:
            continue
        for s in {a["country"] for a in h["source"] if a["country"]}:
            for t in {a["country"] for a in h["target"] if a["country"]}:
                if s != t:
                    edges.setdefault((s, t), Counter())[h["quad_class"]] += 1
    nodes = sorted({x for pair in edges for x in pair})
    position = {n: (math.cos(2 * math.pi * i / max(len(nodes), 1)), math.sin(2 * math.pi * i / max(len(nodes), 1)))
                for i, n in enumerate(nodes)}
    traces = []
    for (s, t), quads in sorted(edges.items()):
        quad, _ = quads.most_common(1)[0]
        (x0, y0), (x1, y1) = position[s], position[t]
        traces.append({"type": "scatter", "mode": "lines", "x": [x0, x1], "y": [y0, y1], "hoverinfo": "text",
                       "text": f"{s} → {t}: {sum(quads.values())} ({quad})", "showlegend": False,
                       "line": {"width": 1 + 2 * sum(quads.values()), "color": QUAD_COLOURS.get(quad, "#999")}})
    traces.append({"type": "scatter", "mode": "markers+text", "x": [position[n][0] for n in nodes],
                   "y": [position[n][1] for n in nodes], "text": nodes, "textposition": "top center",
                   "marker": {"size": 18, "color": "#1d2b3a"}, "showlegend": False, "hoverinfo": "text"})
    # The legend: one entry per quad class drawn (an edge trace each would repeat them).
    drawn = {q.most_common(1)[0][0] for q in edges.values()}
    traces += [{"type": "scatter", "mode": "lines", "x": [None], "y": [None], "name": quad, "hoverinfo": "skip",
                "line": {"width": 4, "color": colour}} for quad, colour in QUAD_COLOURS.items() if quad in drawn]
    return {"data": traces, "layout": {"title": {"text": "Relations (edges: happenings, coloured by quad class)"},
                                       "legend": {"orientation": "h", "title": {"text": "edge colour"}},
                                       "height": 380, "xaxis": {"visible": False}, "yaxis": {"visible": False},
                                       "margin": {"l": 20, "r": 20, "t": 40, "b": 20}}}


def build(con: duckdb.DuckDBPyConnection, story: str | None = None, actors: list[str] = (),
          alerts: list[dict] | None = None, rules: str | None = None) -> dict:
    """Everything a briefing shows, as data (rendered by `render_html` or `render_markdown`)."""
    label, happenings = scope(con, story, list(actors))
    title, chosen = heading(label if story else None, list(actors), happenings, rules)
    article_ids = sorted({e["article_id"] for h in happenings for e in h["evidence"]})
    if story:
        article_ids = sorted(set(article_ids) | set(queries.story_article_ids(con, story)))
    sources = queries.sources(con, article_ids)
    cite = {s["id"]: n for n, s in enumerate(sources, 1)}
    quotes = queries.quotes_in(con, article_ids)
    by_speaker: dict[str, list[dict]] = {}
    for q in quotes:
        by_speaker.setdefault(q["speaker_name"], []).append(q)
    speakers = sorted(by_speaker.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:6]
    checked = provenance_lines(queries.provenance_by_speaker(con, article_ids), "story" if story else "briefing")
    in_scope = {h["id"] for h in happenings}
    differing = terms(con, story)
    differing = differing[differing["differs"] & differing["happening_id"].isin(in_scope)] if not differing.empty else differing
    return {
        "title": title, "chosen": chosen, "generated": dt.date.today(), "happenings": happenings,
        "summary": summary_sentences(happenings), "cite": cite, "sources": sources,
        "speakers": [(name, qs[:2]) for name, qs in speakers],
        "provenance": checked,
        "coverage": coverage_summary(con, story).to_dict("records") if story else [],
        "terms": differing.to_dict("records"),
        "alerts": [a for a in alerts or [] if a.get("happening_id") in in_scope or a.get("happening_id") is None],
        "charts": {"timeline": happenings_chart(happenings, "Timeline of happenings (size: independent sources)"),
                   "relations": relations_figure(happenings)},
    }


def _script_json(value) -> str:
    """JSON that is safe inside <script type="application/json">: no "</script>" can be formed."""
    return json.dumps(jsonable(value)).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


PLOTLY_JS = "plotly.min.js"  # written beside the briefing


def plotly_bundle() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / PLOTLY_JS


def render_html(brief: dict, self_contained: bool = False) -> str:
    """The briefing page; it loads `plotly.min.js` from its own folder unless `self_contained`."""
    env = Environment(loader=FileSystemLoader(HERE / "web" / "templates"), autoescape=select_autoescape(["html"]))
    env.filters["actors"] = actors_text
    env.filters["web_url"] = web_url
    plotly_js = None
    if self_contained:
        plotly_js = plotly_bundle().read_text(encoding="utf-8")
        # Plotly's own code never holds "</script"; checked, because it is inlined as is.
        assert "</script" not in plotly_js.lower()
    charts = {name: _script_json(fig) for name, fig in brief["charts"].items()}
    return env.get_template("brief.html").render(b=brief, charts=charts, plotly_js=plotly_js, plotly_src=PLOTLY_JS)


def write(brief: dict, output: Path, fmt: str = "html", self_contained: bool = False) -> list[Path]:
    """Write the briefing to `output` (and, for HTML, Plotly's bundle beside it once); the files written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    text = render_html(brief, self_contained) if fmt == "html" else render_markdown(brief)
    output.write_text(text, encoding="utf-8")
    written = [output]
    if fmt == "html" and not self_contained:
        bundle, beside = plotly_bundle(), output.parent / PLOTLY_JS
        if not beside.is_file() or beside.read_bytes() != bundle.read_bytes():
            beside.write_bytes(bundle.read_bytes())
            written.append(beside)
    return written


def render_markdown(brief: dict) -> str:
    esc = lambda text: html.escape(str(text or ""), quote=False).replace("|", "\\|")  # noqa: E731
    cite = brief["cite"]
    out = [f"# {esc(brief['title'])}", "", f"Briefing generated {brief['generated']} by Redline from {esc(brief['chosen'])}.",
           "", "## Summary", ""]
    out += [f"- {esc(s['sentence'])} [{cite.get(s['article_id'], '?')}]" for s in brief["summary"]] or ["- Nothing firm to report."]
    out += ["", "## Timeline", "", "| date | what | who | sources | evidence |", "| --- | --- | --- | --- | --- |"]
    for h in brief["happenings"]:
        if h["negated"]:
            continue
        lead = h["evidence"][0]
        out.append(f"| {h['date'] or '?'} | {h['event_type']} ({h['modality']}{', disputed' if h['disputed'] else ''}) | "
                   f"{esc(actors_text(h['source']))} → {esc(actors_text(h['target']))} | {h['sources']}: {esc(', '.join(h['outlets']))} | "
                   f"{esc(lead['sentence'])} [{cite.get(lead['article_id'], '?')}] |")
    out += ["", "## Key quotes", ""]
    for name, qs in brief["speakers"]:
        out.append(f"- **{esc(name)}**: " + " / ".join(f"“{esc(q['text'])}” [{cite.get(q['article_id'], '?')}]" for q in qs))
    if brief.get("provenance"):
        out += ["", "Checked against the record (transcripts and earlier quotes of the same speaker):", ""]
        out += [f"- {esc(line)}" for line in brief["provenance"]]
    if brief["alerts"]:
        out += ["", "## Watch rules", ""]
        out += [f"- {a['status'].upper()} {esc(a['rule'])}: {a['date']} {esc(a.get('reason') or '')}" for a in brief["alerts"]]
    out += ["", "## Sources", ""]
    out += [f"{n}. {esc(s['outlet'] or 'outlet unknown')}, {s['published'] or 'undated'}: {esc(s['title'] or s['id'])}"
            + (f" — {esc(s['url'])}" if web_url(s["url"]) else "") for n, s in enumerate(brief["sources"], 1)]
    return "\n".join(out) + "\n"
