"""Event merging: the mentions of one happening across articles become one record.

Two event mentions are the same happening when they have the same PLOVER type, the same
parties (directed types: sources meet and targets meet; CONSULT-like types: the parties
overlap), compatible dates (intervals from their precision overlap) and compatible places.
Mentions of a happening that negate it are kept with it: the happening is then `disputed`
("the Kremlin denied seeking military help" disputes the alleged REQUEST). Copies of one
lineage count once in `sources`.

Blocked by type and swept in date order, with the happenings still open indexed by party,
so each mention is compared with the few open happenings that share a party with it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field

from redline.model import MODALITIES

# Types whose source and target are interchangeable parties (a meeting, a joint exercise).
SYMMETRIC = frozenset({"CONSULT", "COOPERATE", "AGREE"})
# Strongest claim first: a happening is as firm as its firmest non-negated mention.
MODALITY_RANK = {m: i for i, m in enumerate(MODALITIES)}
PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "unknown": 3}
# An undated mention is taken to have happened up to this many days before its article.
UNDATED_SPAN_DAYS = 7
DATE_TOLERANCE_DAYS = 1
# A mention dated no closer than this ("in 2023") could be any happening of its kind: kept alone.
WIDEST_INTERVAL_DAYS = 31


def named(actors: list[dict] | None) -> frozenset[str]:
    """Canonical proper names of several words ("Wang Yi", "Russian Defence Ministry"): two
    mentions naming different ones on one side are about different happenings."""
    return frozenset(a["name"] for a in actors or [] if a and a.get("name") and len(a["name"].split()) >= 2
                     and all(w[:1].isupper() for w in a["name"].split()))


def parties(actors: list[dict] | None) -> frozenset[str]:
    """The actors of one side, as countries (or names, for actors with no country). An
    unidentified armed force is a party of its own: "an attack on the Crimean bridge" by someone
    unnamed is not Russia's strike on Odesa."""
    return frozenset((f"{a['country']}:UAF" if a.get("sector") == "UAF" and a.get("country") else
                      a.get("country") or (a.get("name") or "").casefold()) for a in actors or [] if a)


def date_interval(event: dict) -> tuple[int, int] | None:
    date, precision = event.get("date"), event.get("date_precision")
    if date is None:
        return None
    if precision == "day" and event.get("date_text"):
        return date.toordinal(), date.toordinal()
    if precision == "month":
        last = calendar.monthrange(date.year, date.month)[1]
        return dt.date(date.year, date.month, 1).toordinal(), dt.date(date.year, date.month, last).toordinal()
    if precision == "year":
        return dt.date(date.year, 1, 1).toordinal(), dt.date(date.year, 12, 31).toordinal()
    return date.toordinal() - UNDATED_SPAN_DAYS, date.toordinal()


@dataclass
class Mention:
    """One event of one article, with what merging needs to know of the article."""

    event: dict
    published: dt.date | None
    outlet: str | None
    lineage: str  # the article's lineage root: copies share it
    interval: tuple[int, int] | None
    sources: frozenset[str]
    targets: frozenset[str]

    @property
    def all_parties(self) -> frozenset[str]:
        return self.sources | self.targets


@dataclass
class _Open:
    mentions: list[Mention] = field(default_factory=list)
    end: int = 0  # the latest day any of its mentions may have happened


def same_time(a: Mention, b: Mention) -> bool:
    return not (a.interval[0] > b.interval[1] + DATE_TOLERANCE_DAYS or b.interval[0] > a.interval[1] + DATE_TOLERANCE_DAYS)


def compatible(a: Mention, b: Mention) -> bool:
    """Could `a` and `b` be mentions of one happening (dates are checked by the caller)?"""
    place_a, place_b = (m.event.get("location") or {} for m in (a, b))
    if place_a.get("country") and place_b.get("country") and place_a["country"] != place_b["country"]:
        return False
    for side_a, side_b in (("source", "source"), ("target", "target")) if a.event["event_type"] not in SYMMETRIC \
            else (("source", "source"),):
        names_a, names_b = named(a.event[side_a]), named(b.event[side_b])
        if a.event["event_type"] in SYMMETRIC:
            names_a, names_b = names_a | named(a.event["target"]), names_b | named(b.event["target"])
        if names_a and names_b and not names_a & names_b:
            return False  # Wang Yi's visit is not Xi Jinping's
    if a.event["event_type"] in SYMMETRIC:
        shared = a.all_parties & b.all_parties
        return bool(shared) and (len(shared) >= 2 or min(len(a.all_parties), len(b.all_parties)) == 1)
    if not (a.sources & b.sources):
        return False
    return bool(a.targets & b.targets) or not a.targets or not b.targets


def merge_events(mentions: list[Mention]) -> list[list[Mention]]:
    """Group the mentions of each happening; mentions with no party stay alone."""
    groups: list[list[Mention]] = []
    by_type: dict[str, list[Mention]] = {}
    for m in mentions:
        if not m.all_parties or m.interval is None or m.interval[1] - m.interval[0] > WIDEST_INTERVAL_DAYS:
            groups.append([m])
        else:
            by_type.setdefault(m.event["event_type"], []).append(m)
    for _, items in sorted(by_type.items()):
        items.sort(key=lambda m: (m.interval[0], m.event["id"]))
        open_: list[_Open] = []
        by_party: dict[str, list[_Open]] = {}
        for m in items:
            # Close what ended before this mention could start.
            still = [h for h in open_ if h.end + DATE_TOLERANCE_DAYS >= m.interval[0]]
            if len(still) != len(open_):
                open_ = still
                by_party = {}
                for h in open_:
                    for p in set().union(*(x.all_parties for x in h.mentions)):
                        by_party.setdefault(p, []).append(h)
            seen: set[int] = set()
            target = None
            for p in sorted(m.all_parties):
                for h in by_party.get(p, ()):
                    if id(h) in seen:
                        continue
                    seen.add(id(h))
                    # Dates must fit every mention (no chains drifting through time), parties one.
                    if all(same_time(m, x) for x in h.mentions) and any(compatible(m, x) for x in h.mentions):
                        target = h
                        break
                if target:
                    break
            if target is None:
                target = _Open(end=m.interval[1])
                open_.append(target)
                groups.append(target.mentions)
            target.mentions.append(m)
            target.end = max(target.end, m.interval[1])
            for p in m.all_parties:
                if target not in by_party.setdefault(p, []):
                    by_party[p].append(target)
    return groups


def _key(m: Mention) -> tuple:
    """The mention that speaks for the happening: not negated, firm, precisely dated, first reported."""
    e = m.event
    return (bool(e["negated"]), MODALITY_RANK.get(e["modality"], 9), PRECISION_RANK.get(e["date_precision"], 9),
            m.published or dt.date.max, -(e.get("confidence") or 0.0), e["id"])


def _side(lead: Mention, group: list[Mention], side: str) -> list[dict]:
    """The lead mention's actors on one side, or, when it names none, the others' most named."""
    if lead.event[side]:
        return lead.event[side]
    named = Counter(tuple((a["name"], a["country"], a["sector"]) for a in m.event[side]) for m in group if m.event[side])
    if not named:
        return []
    return [{"name": n, "country": c, "sector": s} for n, c, s in named.most_common(1)[0][0]]


def happening_record(group: list[Mention]) -> dict:
    """One merged happening: the lead mention's fields, and what all mentions say together."""
    lead = min(group, key=_key)
    e = lead.event
    negations = [m.event["negated"] for m in group]
    firm = [m for m in group if not m.event["negated"]] or group
    modes = Counter(m.event["mode"] for m in group if m.event.get("mode"))
    first = min(group, key=lambda m: (m.published or dt.date.max, m.event["id"]))
    return {
        "id": "e-" + hashlib.sha1(first.event["id"].encode()).hexdigest()[:10],
        "event_type": e["event_type"],
        "mode": e.get("mode") or (modes.most_common(1)[0][0] if modes else None),
        "source": _side(lead, group, "source"), "target": _side(lead, group, "target"),
        "date": e["date"], "date_precision": e["date_precision"], "date_text": e.get("date_text"),
        "location": next((m.event["location"] for m in [lead] + group if m.event.get("location")), None),
        "modality": min((m.event["modality"] for m in firm), key=lambda x: MODALITY_RANK.get(x, 9)),
        "negated": all(negations),
        "disputed": any(negations) and not all(negations),
        "quad_class": e.get("quad_class"), "intensity": e.get("intensity"),
        "confidence": max((m.event.get("confidence") or 0.0) for m in group),
        "sources": len({m.lineage for m in group}),
        "outlets": sorted({m.outlet for m in group if m.outlet}),
        "articles": len({m.event["article_id"] for m in group}),
        "mentions": len(group),
        "first_reported": first.published,
        "first_article": first.event["article_id"],
        "evidence": [
            {"event_id": m.event["id"], "article_id": m.event["article_id"], "outlet": m.outlet,
             "published": m.published, "sentence": m.event["evidence"], "negated": bool(m.event["negated"]),
             "modality": m.event["modality"],
             "attributed_to": (m.event.get("attributed_to") or {}).get("name")}
            # the lead mention first, then in the order they were reported
            for m in [lead] + sorted((m for m in group if m is not lead), key=lambda m: (m.published or dt.date.max, m.event["id"]))
        ],
    }
