"""What a user names, checked against what exists: a country (ISO3), an actor (ISO3:SECTOR), an
event type (PLOVER), a story, a speaker, an outlet; and a date as written. An unknown value is an `UnknownValue` with
the closest valid choices, the same in the CLI and the web API; a known one comes back as it
is stored ("rus" -> "RUS").
"""

from __future__ import annotations

import datetime as dt
import difflib
from functools import lru_cache

import duckdb

from redline.errors import UnknownValue

ACTOR_KINDS = ("person", "organisation", "state")
QUOTE_KINDS = ("direct", "partial", "indirect", "statement", "question")  # the last two: a transcript's turns


def closest(value: str, choices, n: int = 3, cutoff: float = 0.5) -> list[str]:
    """The valid choices nearest to `value` (case ignored), best first."""
    by_key = {str(c).lower(): c for c in choices}
    return [by_key[k] for k in difflib.get_close_matches(value.lower(), list(by_key), n=n, cutoff=cutoff)]


def _column(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list:
    return [r[0] for r in con.execute(sql, params or []).fetchall()]


@lru_cache(maxsize=1)
def iso3_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


def _country_of_name(con, name: str) -> list[str]:
    """The code of a country given by name or ISO2 ("Russia", "RU" -> RUS): as stored, else as
    pycountry knows it."""
    import pycountry

    states = dict(con.execute("SELECT DISTINCT name, country FROM actors WHERE kind = 'state' AND country IS NOT NULL "
                              "ORDER BY ALL").fetchall())
    near = closest(name.strip(), states, n=2, cutoff=0.8)
    if near:
        return list(dict.fromkeys(states[n] for n in near))
    two = pycountry.countries.get(alpha_2=name.strip().upper()) if len(name.strip()) == 2 else None
    if two:
        return [two.alpha_3]
    try:
        return [c.alpha_3 for c in pycountry.countries.search_fuzzy(name)[:2]] if len(name.strip()) > 3 else []
    except LookupError:
        return []


def country(con, value: str) -> str:
    """A country (ISO3) or another code the database holds (UN, EU): upper-cased, or UnknownValue."""
    code = value.strip().upper()
    stored = set(_column(con, "SELECT DISTINCT country FROM actors WHERE country IS NOT NULL"))
    if code in iso3_codes() | stored:
        return code
    guesses = _country_of_name(con, value) or closest(code, sorted(stored)) or closest(code, sorted(iso3_codes()))
    raise UnknownValue("country", value, f"use ISO3, e.g. {', '.join(guesses[:3]) or 'RUS'}")


def actor(con, value: str) -> str:
    """An actor as dyads and rules name them: ISO3 (CHN) or ISO3:SECTOR (RUS:MIL), checked both parts."""
    code, _, sector = value.strip().partition(":")
    code = country(con, code)
    if not sector:
        return code
    sectors = sorted(set(_column(con, "SELECT DISTINCT sector FROM mentions WHERE sector IS NOT NULL")))
    if sector.upper() not in sectors:
        raise UnknownValue("sector", sector, f"one of {', '.join(sectors) or '(none stored)'}")
    return f"{code}:{sector.upper()}"


def event_type(con, value: str) -> str:
    """A PLOVER event type of the rules, or one stored: upper-cased, or UnknownValue."""
    from redline.events.rules import cached_rules

    code = value.strip().upper()
    types = sorted(set(cached_rules().types) | set(_column(con, "SELECT DISTINCT event_type FROM events")) - {None})
    if code in types:
        return code
    near = closest(code, types, cutoff=0.4)
    hint = (f"did you mean {' or '.join(near)}? PLOVER types: " if near else "one of ") + ", ".join(types)
    raise UnknownValue("event type", value, hint)


def story(con, value: str) -> str:
    """A running story (s-...) or happening (h-...) id that is stored, or UnknownValue."""
    if con.execute("SELECT count(*) FROM stories WHERE id = ?", [value]).fetchone()[0]:
        return value
    near = closest(value, _column(con, "SELECT id FROM stories ORDER BY id"), cutoff=0.6)
    raise UnknownValue("story", value, f"did you mean {', '.join(near)}?" if near
                       else "see `redline stories` for the ids")


def speaker(con, value: str) -> str:
    """Part of a stored speaker's name ("Peskov"), or UnknownValue with the names nearest to it."""
    names = _column(con, "SELECT DISTINCT speaker_name FROM quotes WHERE speaker_name IS NOT NULL ORDER BY 1")
    if any(value.lower() in n.lower() for n in names):
        return value
    by_word = {}
    for name in names:
        for word in [name, *name.split()]:
            by_word.setdefault(word.lower(), name)
    near = list(dict.fromkeys(by_word[w] for w in closest(value, list(by_word), cutoff=0.6)))
    raise UnknownValue("speaker", value, f"did you mean {', '.join(near)}?" if near else "no stored speaker's name holds it")


def outlet(con, value: str) -> str:
    outlets = _column(con, "SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL ORDER BY 1")
    if value in outlets:
        return value
    near = closest(value, outlets)
    raise UnknownValue("outlet", value, f"did you mean {', '.join(near)}?" if near
                       else f"one of {', '.join(outlets[:10]) or '(none stored)'}")


def date(value: str | dt.date) -> dt.date:
    """A date as YYYY-MM-DD (or already a date), or UnknownValue."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UnknownValue("date", value, "a date as YYYY-MM-DD, e.g. 2023-07-18") from None


def provenance_grade(value: str) -> str:
    """A provenance grade as the user wrote it ("not-found" too): verbatim, trimmed, altered,
    paraphrase, not found."""
    from redline.provenance.align import GRADES

    return one_of("provenance grade", value.replace("-", " ").replace("_", " "), GRADES)


def one_of(what: str, value: str, choices: tuple[str, ...]) -> str:
    """A value from a fixed set (an actor kind, a quote kind), case ignored."""
    if value.lower() in choices:
        return value.lower()
    raise UnknownValue(what, value, f"one of {', '.join(choices)}")
