"""The schemas of the other rule files: actor dictionaries, furniture patterns, quote cues and
watch rules. (Event rules have theirs in `redline.schemas.events`.)"""

from __future__ import annotations

from functools import lru_cache

from redline.model import MODALITIES

from redline.schemas.check import (
    DATE, INT, NUMBER, REGEX, STR, Choice, Either, Keys, ListOf, MapOf, pattern,
)

WORDS = ListOf(STR)
ISO3 = pattern(r"[A-Z]{3}", "an ISO 3166 alpha-3 code (RUS, USA ...)")
CODE = pattern(r"[A-Z][A-Z0-9]{1,5}", "a country code (ISO3) or an international body's (UN, NATO, EU ...)")


@lru_cache(maxsize=1)
def shipped_sectors() -> tuple[str, ...]:
    from redline.yamlfiles import shipped

    return tuple(shipped("roles.yaml").get("sectors") or ())


@lru_cache(maxsize=1)
def shipped_ranks() -> tuple[str, ...]:
    from redline.yamlfiles import shipped

    return tuple(shipped("roles.yaml").get("ranks") or ())


@lru_cache(maxsize=1)
def shipped_event_types() -> tuple[str, ...]:
    from redline.yamlfiles import shipped

    return tuple(shipped("events.yaml").get("types") or ())


SECTOR = Choice(shipped_sectors, what="sector")

# -- actor dictionaries: data/countries.yaml, organisations.yaml, people.yaml, leaders.yaml,
#    roles.yaml, and the user's --actors files (any of these sections, in one file) ----------
COUNTRY = Keys({
    "names": WORDS, "adjectives": WORDS, "prefixes": WORDS, "capitals": WORDS, "seats": MapOf(SECTOR),
}, kind="a country (names, adjectives, prefixes, capitals, seats)")
ORGANISATION = Keys({"names": WORDS, "code": CODE, "sector": SECTOR}, required=("names",),
                    kind="an organisation (names, code, sector)")
OFFICE = Keys({
    "country": CODE, "role": STR, "sector": SECTOR, "from": DATE, "to": DATE,
    "rank": Choice(shipped_ranks, what="rank"),
}, required=("country", "role", "sector", "from"), kind="an office (country, role, sector, from, to, rank)")
PERSON = Keys({"name": STR, "aliases": WORDS, "roles": ListOf(OFFICE)}, required=("name",),
              kind="a person (name, aliases, roles)")
ACTORS = Keys({
    "countries": MapOf(COUNTRY, key=ISO3, may_be_empty=True),
    "organisations": ListOf(ORGANISATION),
    "people": ListOf(PERSON),
    "sectors": WORDS,
    "roles": MapOf(WORDS, key=SECTOR),
    "ranks": MapOf(WORDS),
}, kind="an actor file (countries, organisations, people, sectors, roles, ranks)")

# -- page furniture: lang/en/furniture.yaml and --furniture files ---------------------------
FURNITURE = Keys({"reasons": MapOf(ListOf(REGEX))}, kind="furniture patterns (a mapping with `reasons`)")

# -- quote cues: lang/en/quotes.yaml ------------------------------------------------------------
QUOTES = Keys({"speech": WORDS, "reporting": WORDS, "framing": WORDS, "person_roles": WORDS},
              kind="quote cues (speech, reporting, framing, person_roles)")

# -- transcript labels: lang/en/transcripts.yaml ------------------------------------------------
TRANSCRIPTS = Keys({"honorifics": WORDS, "unnamed": WORDS, "not_speakers": WORDS, "min_turns": INT},
                   required=("honorifics", "unnamed", "not_speakers", "min_turns"),
                   kind="transcript label words (honorifics, unnamed, not_speakers, min_turns)")

# -- a language's words: lang/en/words.yaml (lists, or maps of words to words or numbers) -----
LANGUAGE_WORDS = Keys({group: MapOf(Either((WORDS, MapOf(STR)))) for group in ("actors", "quotes", "events", "dates", "corpus")},
                      kind="language words (actors, quotes, events, dates, corpus)")

# -- watch rules: `redline watch RULES.yaml`, `serve --rules`, setting watch_rules --------------
ACTOR = pattern(r"[A-Za-z][A-Za-z0-9]{1,5}(:[A-Za-z]{3})?", "an actor: a country code, or CODE:SECTOR (RUS:MIL)")
ACTORS_ONE_OR_MORE = Either((ACTOR, ListOf(ACTOR)))
EVENT_TYPE = Choice(shipped_event_types, what="event type", upper=True)
MODALITY = Choice(MODALITIES, what="modality")
WATCH_RULE = Keys({
    "name": STR,
    "type": Either((EVENT_TYPE, ListOf(EVENT_TYPE))),
    "mode": STR,
    "source": ACTORS_ONE_OR_MORE,
    "target": ACTORS_ONE_OR_MORE,
    "between": ListOf(ACTOR, size=2),
    "where": ACTOR,
    "modality": Either((MODALITY, ListOf(MODALITY))),
    "min_sources": INT,
    "new_after_days": INT,
    "intensity_below": NUMBER,
    "intensity_above": NUMBER,
    "weeks": INT,
    "unit": Choice(("happening", "mention"), what="unit"),
}, required=("name",), kind="a watch rule (a mapping with `name`)")
WATCH = Either((ListOf(WATCH_RULE), Keys({"rules": ListOf(WATCH_RULE)}, required=("rules",))),
               label="watch rules (a list of rules, or `rules:` holding one)")

__all__ = ["ACTORS", "FURNITURE", "LANGUAGE_WORDS", "QUOTES", "TRANSCRIPTS", "WATCH"]
