"""What only the web pages need beyond `redline.queries` and `redline.render`: an article's text
cut into marked pieces, and a dyad as plain records."""

from __future__ import annotations

from redline import queries


def segments(text: str, record: dict) -> list[dict]:
    """The text cut where any mention, quote or event trigger starts or ends; each piece says
    what covers it, so the page can mark everything in place (the template escapes the text)."""
    spans = [("quote", q["start"], q["end"], q) for q in record["quotes"]]
    spans += [("actor", m["start"], m["end"], m) for m in record["mentions"]]
    spans += [("event", e["trigger_start"], e["trigger_end"], e) for e in record["events"] if e["trigger_start"] is not None]
    cuts = sorted({0, len(text)} | {max(0, min(len(text), x)) for _, s, e, _ in spans for x in (s, e)})
    out = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [(kind, info) for kind, s, e, info in spans if s <= start and end <= e]
        piece = {"text": text[start:end], "quote": None, "actor": None, "event": None}
        for kind, info in covering:
            piece[kind] = info
        out.append(piece)
    return out


def dyad(con, a: str, b: str, by: str = "week", unit: str = "happening") -> dict:
    """`queries.dyad` with its series and shifts as lists of records, for a page or a JSON answer."""
    found = queries.dyad(con, a, b, by=by, unit=unit)
    return {"a": found["a"], "b": found["b"], "by": by, "unit": unit,
            "series": found["series"].to_dict("records"), "shifts": found["shifts"].to_dict("records")}
