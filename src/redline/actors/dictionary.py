"""The actor dictionary: countries, organisations, people with their offices, role words.

Built from pycountry (every country name) and the YAML files in `redline/data/`, plus any
user files (`--actors FILE`, setting `actor_files`) of the same shape as people.yaml /
organisations.yaml / countries.yaml: their entries are added to the shipped ones.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pycountry
import spacy

from redline import schemas
from redline.model import Actor, ActorId
from redline.words import fold


@dataclass(frozen=True)
class Office:
    country: str
    role: str
    sector: str
    start: dt.date
    end: dt.date | None
    rank: str | None

    def held_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class Person:
    name: str
    aliases: list[str]
    offices: list[Office]

    def office_on(self, day: dt.date | None) -> Office | None:
        """The office held on `day`; else the latest one begun before it; else the first."""
        if not self.offices:
            return None
        if day is None:
            return max(self.offices, key=lambda o: o.start)
        held = [o for o in self.offices if o.held_on(day)]
        if held:
            return max(held, key=lambda o: o.start)
        before = [o for o in self.offices if o.start <= day]
        return max(before, key=lambda o: o.start) if before else min(self.offices, key=lambda o: o.start)


@dataclass
class ActorDictionary:
    country_names: dict[str, str] = field(default_factory=dict)   # exact text -> ISO3
    adjectives: dict[str, str] = field(default_factory=dict)      # "Chinese" -> CHN
    prefixes: dict[str, str] = field(default_factory=dict)        # "sino" -> CHN
    capitals: dict[str, str] = field(default_factory=dict)        # "Moscow" -> RUS
    places_abroad: dict[str, str] = field(default_factory=dict)   # "New Jersey" -> USA (see add_places_abroad)
    organisations: dict[str, Actor] = field(default_factory=dict)  # exact text -> actor
    people: dict[str, Person] = field(default_factory=dict)        # exact text -> person
    role_sectors: dict[str, str] = field(default_factory=dict)     # "spokesman" -> GOV
    ranks: dict[str, str] = field(default_factory=dict)            # "president" -> head_of_state
    sectors: list[str] = field(default_factory=list)

    # -- lookups ------------------------------------------------------------------------
    def country_name(self, code: str) -> str:
        country = pycountry.countries.get(alpha_3=code)
        if country is None:
            return code
        return getattr(country, "common_name", None) or self._short_names.get(code) or country.name

    @property
    def _short_names(self) -> dict[str, str]:
        # The first curated name is how news names the country ("Russia", not "Russian Federation").
        return self.__dict__.setdefault("_short", {})

    def state(self, code: str, sector: str | None = None, role: str | None = None) -> Actor:
        return Actor(ActorId.state(code, sector), self.country_name(code), "state", code, sector, role)

    def person_actor(self, person: Person, day: dt.date | None) -> Actor:
        office = person.office_on(day)
        if office is None:
            return Actor(ActorId.person(person.name), person.name, "person")
        return Actor(ActorId.person(person.name), person.name, "person", office.country, office.sector, office.role)

    def people_by_surname(self, surname: str) -> list[Person]:
        """The people whose name ends in this word, or whose name or alias is it ("Kirby",
        "Erdogan"; case and accents folded). The index is built once per size of the people
        table (files may be added later), not by scanning the table for each question."""
        size, index = self.__dict__.get("_surnames", (-1, {}))
        if size != len(self.people):
            table: dict[str, dict[int, Person]] = {}
            for text, person in self.people.items():
                for key in {fold(text), fold(person.name.split()[-1])}:
                    table.setdefault(key, {})[id(person)] = person
            index = {key: list(found.values()) for key, found in table.items()}
            self.__dict__["_surnames"] = (len(self.people), index)
        return index.get(fold(surname), [])

    def holder(self, country: str, rank: str, day: dt.date | None) -> Person | None:
        """Who held the office of `rank` in `country` on `day` (the latest holder without a day)."""
        best: tuple[dt.date, Person] | None = None
        for person in {id(p): p for p in self.people.values()}.values():
            for office in person.offices:
                if office.country != country or office.rank != rank:
                    continue
                if day is not None and not office.held_on(day):
                    continue
                if best is None or office.start > best[0]:
                    best = (office.start, person)
        return best[1] if best else None

    def country_of_word(self, word: str) -> str | None:
        """ISO3 for a country name, adjective, capital or combining form ("Sino")."""
        return (
            self.country_names.get(word)
            or self.adjectives.get(word)
            or self.capitals.get(word)
            or self.prefixes.get(word.casefold())
        )

    def country_of_token(self, tok) -> str | None:
        """`country_of_word` of a spaCy token, but None for the last word of a region's name
        ("Jersey" in "New Jersey": see `add_places_abroad`), its words compounds of it."""
        first = tok
        while compounds := [t for t in first.lefts if t.dep_ == "compound"]:
            first = compounds[0]
        if first.i < tok.i and tok.doc[first.i:tok.i + 1].text in self.places_abroad:
            return None
        return self.country_of_word(tok.text)

    def sector_of(self, phrase: str) -> str | None:
        """Sector of the longest role phrase found in `phrase` (lower-cased words, plurals too)."""
        role = longest_match(self._role_pattern(), phrase)
        return self.role_sectors[role] if role else None

    def rank_of(self, phrase: str) -> str | None:
        title = longest_match(self._rank_pattern(), phrase)
        return self.ranks[title] if title else None

    # One compiled alternation per table, kept on the dictionary and dropped when `add_roles`
    # changes the tables (sorting the table on every call cost more than the match).
    def _role_pattern(self) -> re.Pattern:
        if (pattern := self.__dict__.get("_role_re")) is None:
            pattern = self.__dict__["_role_re"] = _phrase_pattern(tuple(sorted(self.role_sectors)), plurals=True)
        return pattern

    def _rank_pattern(self) -> re.Pattern:
        if (pattern := self.__dict__.get("_rank_re")) is None:
            pattern = self.__dict__["_rank_re"] = _phrase_pattern(tuple(sorted(self.ranks)), plurals=False)
        return pattern

    # -- loading --------------------------------------------------------------------------
    def add_countries(self, data: dict) -> None:
        for code, entry in (data.get("countries") or {}).items():
            entry = entry or {}
            names = entry.get("names") or []
            if names:
                self._short_names.setdefault(code, names[0])
            for name in names:
                self.country_names[name] = code
            for adj in entry.get("adjectives") or []:
                self.adjectives[adj] = code
            for prefix in entry.get("prefixes") or []:
                self.prefixes[prefix.casefold()] = code
            for capital in entry.get("capitals") or []:
                self.capitals[capital] = code
            for seat, sector in (entry.get("seats") or {}).items():
                self.organisations[seat] = Actor(ActorId.organisation(seat, code), seat, "organisation", code, sector)

    def add_organisations(self, data: dict) -> None:
        for entry in data.get("organisations") or []:
            names = entry["names"]
            code = entry.get("code")
            actor = Actor(ActorId.body(names[0]), names[0], "organisation", code, entry.get("sector"))
            for name in names:
                self.organisations[name] = actor

    def add_people(self, data: dict) -> None:
        for entry in data.get("people") or []:
            offices = [
                Office(
                    country=r["country"], role=r["role"], sector=r["sector"],
                    start=_date(r["from"]), end=_date(r["to"]) if r.get("to") else None, rank=r.get("rank"),
                )
                for r in entry.get("roles") or []
            ]
            existing = self.people.get(entry["name"])
            if existing and existing.name == entry["name"]:
                existing.offices += offices
                person = existing
            else:
                person = Person(entry["name"], list(entry.get("aliases") or []), offices)
            for alias in [entry["name"], *(entry.get("aliases") or [])]:
                self.people[alias] = person

    def add_roles(self, data: dict) -> None:
        self.sectors = list(data.get("sectors") or self.sectors)
        for compiled in ("_role_re", "_rank_re"):  # rebuilt from the grown tables when next asked for
            self.__dict__.pop(compiled, None)
        for sector, words in (data.get("roles") or {}).items():
            for word in words:
                self.role_sectors[word] = sector
        for rank, words in (data.get("ranks") or {}).items():
            for word in words:
                self.ranks[word] = rank

    def add_file(self, data: dict) -> None:
        self.add_countries(data)
        self.add_organisations(data)
        self.add_people(data)
        self.add_roles(data)


@lru_cache(maxsize=16)
def _phrase_pattern(phrases: tuple[str, ...], plurals: bool) -> re.Pattern:
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives}){'s?' if plurals else ''}(?![\w-])")


def longest_match(pattern: re.Pattern, phrase: str) -> str | None:
    """The longest listed phrase in `phrase`, wherever it starts."""
    best = None
    for m in pattern.finditer(phrase.casefold()):
        if best is None or len(m.group(1)) > len(best):
            best = m.group(1)
    return best


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def plural_demonym(demonym: str) -> str:
    """"Albanian" -> "Albanians"; "Swiss", "Chinese", "French" stay as they are."""
    if demonym.endswith(("ese", "ss", "sh", "ch", "i", "s")):
        return demonym
    return demonym + "s"


def common_english_word(name: str) -> bool:
    """One word that English uses often in its own right: countryinfo's spellings in other
    languages include "Island" (Iceland), which would make "Easter Island", "Hainan Island" and
    "Rhode Island" Icelandic (16 mentions in the shipped corpora). wordfreq's Zipf scale: 4.5
    is about 30 uses per million words."""
    from wordfreq import zipf_frequency  # loaded once per dictionary: 0.3 s

    return " " not in name and zipf_frequency(name.lower(), "en") >= 4.5


def add_country_facts(d: ActorDictionary) -> None:
    """Every country's names from pycountry; demonyms, other spellings and capitals from
    countryinfo (both ship their data). The curated countries.yaml is added after these."""
    from countryinfo import all_countries

    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                d.country_names[value] = country.alpha_3
    for info in all_countries():
        code = info.iso(3)
        if not code or not pycountry.countries.get(alpha_3=code):
            continue
        for name in [info.name(), *(name for name in info.alt_spellings() or [] if not common_english_word(name))]:
            if name and not (name.isupper() and len(name) <= 3):  # "AD", "AND": too easily a word
                d.country_names.setdefault(name, code)
        demonym = info.demonym()
        if demonym:
            d.adjectives.setdefault(demonym, code)
            d.adjectives.setdefault(plural_demonym(demonym), code)
        capital = info.capital()
        if capital and capital[0].isupper():
            d.capitals.setdefault(capital, code)


def load_dictionary(extra: Iterable[str | Path] = ()) -> ActorDictionary:
    d = ActorDictionary()
    add_country_facts(d)
    for name in ("countries.yaml", "organisations.yaml", "people.yaml", "leaders.yaml", "roles.yaml"):
        d.add_file(schemas.shipped(name, "actors"))
    for path in extra:  # checked against redline.schemas.files.ACTORS: RuleFileError (a ValueError)
        d.add_file(schemas.read(path, "actors") or {})
    add_apostrophe_variants(d)
    add_places_abroad(d)
    return d


def add_places_abroad(d: ActorDictionary) -> None:
    """Regions (pycountry's subdivisions) whose name holds the name of another country: "New
    Jersey", "New Mexico", "New South Wales" (26 mentions in the shipped corpora). Matched whole,
    they keep the matcher from reading "Jersey", "Mexico" or "Wales" in them as that country;
    they are places, not actors. A region named after a place of its own country ("Western
    Australia", "Dublin City"), or a name the dictionary holds already ("Northern Ireland",
    "Hong Kong SAR"), is left as it was."""
    tables = (d.country_names, d.adjectives, d.capitals)
    for region in pycountry.subdivisions:
        words = region.name.split()
        country = pycountry.countries.get(alpha_2=region.country_code)
        if len(words) < 2 or country is None or any(region.name in table for table in (*tables, d.organisations, d.people)):
            continue
        parts = (" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)
                 if j - i < len(words))
        inner = {table[part] for part in parts for table in tables if part in table} - {country.alpha_3}
        if inner and region.code.split("-")[1] not in {other.alpha_2 for code in inner
                                                       if (other := pycountry.countries.get(alpha_3=code))}:
            # (not "Hong Kong SAR", CN-HK: a region that is the inner name's own country)
            d.places_abroad.setdefault(region.name, country.alpha_3)


def add_apostrophe_variants(d: ActorDictionary) -> None:
    """News prints "People’s" as often as "People's"; the matcher compares exact tokens."""
    for table in (d.people, d.organisations, d.country_names, d.adjectives, d.capitals):
        for name in [n for n in table if "'" in n]:
            table.setdefault(name.replace("'", "’"), table[name])


@lru_cache(maxsize=8)
def cached_dictionary(extra: tuple[str, ...] = ()) -> ActorDictionary:
    return load_dictionary(extra)


@spacy.registry.misc("redline.actor_dictionary.v1")
def shared_dictionary(files: list[str]) -> ActorDictionary:
    """The actor dictionary of a pipeline (the shipped one plus the user's `files`): one object,
    shared by every component whose config names this function with the same files."""
    return cached_dictionary(tuple(files))
