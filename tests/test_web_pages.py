"""The analyst's workbench in the web app: the navigation, the list pages with their filters,
facet counts and downloads, the actor page, what changed, the map; visited in a real headless
Chromium against a real server, with a screenshot of each page in test-artifacts/, and an
accessibility check (labels, text alternatives, visible focus, contrast)."""

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from redline.config import Settings
from redline.web import create_app
from tests.conftest import served

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
NAV = ["What changed", "Events", "Stories", "Actors", "Quotes", "Dyads", "Outlets", "Alerts", "Search"]


def _settings(db):
    return Settings(db=str(db), watch_rules=str(ROOT / "examples" / "watch.yaml"))


@pytest.fixture(scope="module")
def client(example_db):
    return TestClient(create_app(example_db, _settings(example_db)))


@pytest.fixture(scope="module")
def live(example_db):
    """The app under uvicorn on 127.0.0.1, one for the module."""
    with served(create_app(example_db, _settings(example_db))) as url:
        yield url


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.errors, page.outside = [], []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    # Nothing is fetched from elsewhere (Plotly's geo would fetch its world outlines from a server).
    page.on("request", lambda r: r.url.startswith(("http://127.0.0.1:", "data:", "blob:")) or page.outside.append(r.url))
    yield page
    assert not page.errors, page.errors
    assert not page.outside, page.outside
    page.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def shown_total(page) -> int:
    """The T of "Showing N of T" on a list page."""
    return int(page.locator("p.pager").inner_text().split(" of ")[1].split(".")[0].split()[0])


# -- the API ----------------------------------------------------------------------------------
def test_event_filters_facets_and_csv_agree(client):
    everything = client.get("/api/events", params={"limit": 5000}).json()
    assert everything["total"] == len(everything["items"]) > 0
    facets = everything["facets"]
    assert sum(f["events"] for f in facets["status"]) == everything["total"]
    top = facets["type"][0]
    typed = client.get("/api/events", params={"type": top["value"].lower(), "limit": 5000}).json()
    assert typed["total"] == top["events"] < everything["total"]
    assert {e["event_type"] for e in typed["items"]} == {top["value"]}
    # Two countries: only what each did to the other.
    a, b = client.get("/api/dyads").json()["items"][0]["a"], client.get("/api/dyads").json()["items"][0]["b"]
    pair = client.get("/api/events", params=[("country", a), ("country", b)]).json()
    assert pair["total"] >= 1
    for e in pair["items"]:
        sides = {x["country"] for x in e["source"]}, {x["country"] for x in e["target"]}
        assert (a in sides[0] and b in sides[1]) or (b in sides[0] and a in sides[1])
    # Dates, status and confidence narrow; the facet of a filter counts under the others only.
    last = max(e["date"] for e in everything["items"] if e["date"])
    recent = client.get("/api/events", params={"since": last, "status": "asserted", "min_confidence": "0.5"}).json()
    assert all(e["date"] >= last and e["status"] == "asserted" and e["confidence"] >= 0.5 for e in recent["items"])
    assert recent["total"] < everything["total"]
    # A chosen value stays among the choices, with 0, when the other filters leave it nothing.
    rare = facets["type"][-1]["value"]
    other = next(f["value"] for f in facets["country"]
                 if client.get("/api/events", params={"type": rare, "country": f["value"]}).json()["total"] == 0)
    none = client.get("/api/events", params={"type": rare, "country": other}).json()
    assert none["total"] == 0 and {"value": rare, "events": 0} in none["facets"]["type"]
    assert {"value": other, "events": 0} in none["facets"]["country"]
    # The CSV has exactly the rows of the JSON page, in its order.
    params = {"country": a, "limit": 7, "offset": 1}
    rows = list(csv.DictReader(io.StringIO(client.get("/api/events.csv", params=params).text)))
    assert [r["id"] for r in rows] == [e["id"] for e in client.get("/api/events", params=params).json()["items"]]
    assert rows == list(csv.DictReader(io.StringIO(client.get("/api/events", params={**params, "format": "csv"}).text)))


def test_unknown_filter_values_are_400_with_the_closest_choices(client):
    for params, hint in [({"country": "Russia"}, "RUS"), ({"type": "ACCUSSE"}, "ACCUSE"), ({"status": "firm"}, "asserted"),
                         ({"since": "2023-02-31"}, "YYYY-MM-DD")]:
        response = client.get("/api/events", params=params)
        assert response.status_code == 400, params
        assert response.json()["detail"].startswith("unknown ") and hint in response.json()["detail"]
    outlet = client.get("/api/outlets").json()["items"][0]["outlet"]
    response = client.get("/api/events", params={"outlet": outlet[:-1]})
    assert response.status_code == 400 and outlet in response.json()["detail"]
    assert client.get("/events", params={"since": "", "type": "", "country": "", "min_confidence": ""}).status_code == 200


def test_index_lists_and_their_downloads(client):
    outlets = client.get("/api/outlets").json()
    articles = client.get("/api/articles", params={"limit": 1}).json()["total"]
    assert sum(o["articles"] for o in outlets["items"]) <= articles and outlets["items"][0]["articles"] >= outlets["items"][-1]["articles"]
    dyads = client.get("/api/dyads").json()["items"]
    assert dyads == sorted(dyads, key=lambda d: -d["events"]) and all(d["a"] < d["b"] for d in dyads)
    for d in dyads[:3]:  # the pair's count is the events list's under the same two countries
        assert client.get("/api/events", params=[("country", d["a"]), ("country", d["b"])]).json()["total"] == d["events"]
    for name in ("actors", "quotes", "dyads", "outlets"):
        found = client.get(f"/api/{name}").json()["items"]
        rows = list(csv.DictReader(io.StringIO(client.get(f"/api/{name}", params={"format": "csv"}).text)))
        assert len(rows) == len(found) and list(rows[0]) == list(found[0]), name


def test_quotes_list_filters_and_refuses_unknown_speakers(client):
    everything = client.get("/api/quotes", params={"limit": 200}).json()
    speaker = next(q["speaker_name"] for q in everything["items"] if q["speaker_name"])
    word = speaker.split()[-1]
    theirs = client.get("/api/quotes", params={"speaker": word, "limit": 200}).json()
    assert 1 <= theirs["total"] < everything["total"] and all(word.lower() in q["speaker_name"].lower() for q in theirs["items"])
    response = client.get("/api/quotes", params={"speaker": word[:-1] + "q"})
    assert response.status_code == 400 and response.json()["detail"].startswith("unknown speaker")
    assert client.get("/quotes", params={"speaker": "", "country": "", "kind": ""}).status_code == 200


def test_quotes_have_their_outlet_and_an_outlet_filter_with_counts(client):
    everything = client.get("/api/quotes", params={"limit": 200}).json()
    facets = everything["facets"]["outlet"]
    assert sum(f["quotes"] for f in facets) == sum(1 for q in everything["items"] if q["outlet"]) > 0
    for f in facets[:3]:  # each choice's count is what choosing it gives
        theirs = client.get("/api/quotes", params={"outlet": f["value"], "limit": 200}).json()
        assert theirs["total"] == f["quotes"] and {q["outlet"] for q in theirs["items"]} == {f["value"]}
    # The outlet facet counts under the other filters, and keeps the chosen outlet (with 0).
    kind = everything["items"][0]["kind"]
    kinds = client.get("/api/quotes", params={"kind": kind, "limit": 200}).json()
    by_outlet = {f["value"]: f["quotes"] for f in kinds["facets"]["outlet"]}
    assert by_outlet == {o: sum(q["outlet"] == o for q in kinds["items"]) for o in by_outlet}
    empty = next(f["value"] for f in facets if f["value"] not in by_outlet) if len(by_outlet) < len(facets) else None
    if empty:
        none = client.get("/api/quotes", params={"kind": kind, "outlet": empty}).json()
        assert none["total"] == 0 and {"value": empty, "quotes": 0} in none["facets"]["outlet"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/quotes", params={"outlet": facets[0]["value"], "format": "csv"}).text)))
    assert len(rows) == facets[0]["quotes"] and {r["outlet"] for r in rows} == {facets[0]["value"]}
    response = client.get("/api/quotes", params={"outlet": facets[0]["value"][:-1]})
    assert response.status_code == 400 and facets[0]["value"] in response.json()["detail"]


def test_actor_activity_and_what_changed(client):
    actor = client.get("/api/actors").json()["items"][0]
    activity = client.get(f"/api/actors/{actor['id']}/activity").json()
    assert activity["did"]["total"] + activity["done_to"]["total"] >= 1
    for e in activity["did"]["items"]:
        assert actor["name"] in [x["name"] for x in e["source"]]
    for e in activity["done_to"]["items"]:
        assert actor["name"] in [x["name"] for x in e["target"]]
    weeks = [w["week"] for w in activity["attention"]]
    assert weeks == sorted(weeks) and len(set(weeks)) == len(weeks)
    assert sum(w["articles"] for w in activity["attention"]) >= 1
    changed = client.get("/api/changes").json()
    assert changed["since"] < changed["until"] and changed["happenings"]
    assert all((h["first_reported"] or h["date"]) >= changed["since"] for h in changed["happenings"])
    later = client.get("/api/changes", params={"since": changed["until"]}).json()
    assert len(later["happenings"]) <= len(changed["happenings"])


# -- in Chromium ------------------------------------------------------------------------------
def test_every_page_is_reached_from_the_navigation(live, page):
    page.goto(live + "/")
    seen = set()
    for label in NAV:
        with page.expect_navigation() as nav:
            page.locator("nav[aria-label=Main] a", has_text=label).first.click()
        assert nav.value.status == 200, label
        page.wait_for_load_state("load")
        assert page.locator("h1").count() >= 1, label
        for chart in page.locator("[data-chart]").all():
            page.wait_for_function("el => el.dataset.rendered === 'true' || el.textContent", arg=chart.element_handle(),
                                   timeout=20_000)
        shot(page, "page-" + label.lower().replace(" ", "-"))
        seen.add(page.url)
    assert len(seen) == len(NAV)
    # From the lists, one click to each kind of detail page.
    for list_url, link, name in [("/actors", "table.list td a[href^='/actors/']", "actor"),
                                 ("/dyads", "a.dyad", "dyad"), ("/stories", "ul.stories a", "story"),
                                 ("/outlets", "table.list td a", "outlet-events")]:
        page.goto(live + list_url)
        with page.expect_navigation() as nav:
            page.locator(link).first.click()
        assert nav.value.status == 200, name
        page.wait_for_load_state("networkidle")
        shot(page, "page-" + name)
    # The header does not overflow at phone width.
    phone = page.context.browser.new_page(viewport={"width": 375, "height": 800})
    phone.goto(live + "/events")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    shot(phone, "page-events-phone")
    phone.close()


def filter_by_first_choice(page, select: str, form: str) -> tuple[str, int, int]:
    """Choose a filter's first real option and submit: its value, the total the page then
    shows, and the count the option carried beside its label ("ASSAULT (12)")."""
    option = page.locator(f"{select} option").nth(1)
    value, label = option.get_attribute("value"), option.inner_text()
    page.select_option(select, value)
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")
    return value, shown_total(page), int(label.rsplit("(", 1)[1].rstrip(")"))


def test_filters_change_the_counts_and_the_csv_has_the_rows_shown(live, page):
    page.goto(live + "/events")
    everything = shown_total(page)
    value, typed, counted = filter_by_first_choice(page, "#f-type", "form.filters")
    assert typed == counted < everything  # the facet count said so
    assert set(page.locator("tr.event-row td:nth-child(2)").all_inner_texts()) <= {value} | {
        t for t in page.locator("tr.event-row td:nth-child(2)").all_inner_texts() if t.startswith(value + "/")}
    shown = page.locator("tr.event-row").evaluate_all("rows => rows.map(r => r.dataset.id)")
    with page.expect_download() as download:
        page.locator("p.downloads a", has_text="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [r["id"] for r in rows] == shown and len(shown) == typed
    # A status box narrows further; the map is drawn for what is listed.
    page.locator("input[name=status][value=asserted]").check()
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert shown_total(page) <= typed
    page.wait_for_selector("#places-map[data-rendered=true]", timeout=20_000)
    shot(page, "events-filtered")


def test_stories_are_paged_by_next_and_previous(live, page, client):
    """One story a page: "next" walks every story once, in the API's order; "previous" goes back."""
    everything = [s["id"] for s in client.get("/api/stories", params={"limit": 200}).json()["items"]]
    assert len(everything) >= 2
    page.goto(live + "/stories?limit=1")
    seen = []
    while True:
        seen += [a.get_attribute("href").rsplit("/", 1)[1] for a in page.locator("ul.stories a").all()]
        assert page.locator("p.pager").inner_text().startswith(f"Showing {len(seen)}–{len(seen)} of {len(everything)}.")
        if not page.locator("p.pager a", has_text="next").count():
            break
        with page.expect_navigation():
            page.locator("p.pager a", has_text="next").click()
    assert seen == everything
    with page.expect_navigation():
        page.locator("p.pager a", has_text="previous").click()
    assert page.locator("ul.stories a").get_attribute("href").endswith("/" + everything[-2])
    assert "limit=1" in page.url
    shot(page, "stories-paged")


def test_quotes_filtered_by_outlet_and_paged_keep_the_filter(live, page):
    page.goto(live + "/quotes")
    outlet, total, counted = filter_by_first_choice(page, "#q-outlet", "form.inline")
    assert total == counted >= 2  # the count beside the choice said so
    assert set(page.locator("tr.quote-row td.outlet").all_inner_texts()) == {outlet}
    with page.expect_download() as download:
        page.locator("p.downloads a", has_text="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == total and {r["outlet"] for r in rows} == {outlet}
    # Paged one quote at a time, "next" keeps the outlet: every page is of that outlet.
    page.goto(page.url + "&limit=1")
    texts = []
    for _ in range(total):
        assert page.locator("tr.quote-row td.outlet").all_inner_texts() == [outlet]
        assert page.locator("#q-outlet").input_value() == outlet
        texts += page.locator("tr.quote-row td:nth-child(3)").all_inner_texts()
        if page.locator("p.pager a", has_text="next").count():
            with page.expect_navigation():
                page.locator("p.pager a", has_text="next").click()
    assert len(texts) == total and page.locator("p.pager a", has_text="next").count() == 0
    shot(page, "quotes-by-outlet")


def test_errors_of_pages_are_pages_and_the_api_keeps_json(live, page, client):
    """An unknown id or a bad filter on a page: the site's page with its navigation, the status
    kept, one line on what went wrong, a link back to the list. The same under /api: JSON."""
    for url, status, said, back in [("/stories/s-nope", 404, "s-nope", "/stories"),
                                    ("/actors/person:nobody-at-all", 404, "person:nobody-at-all", "/actors"),
                                    ("/quotes/q-nope/provenance", 404, "q-nope", "/quotes"),
                                    ("/events?country=Russia", 400, "RUS", "/events"),
                                    ("/events?since=2023-02-31", 400, "YYYY-MM-DD", "/events"),
                                    ("/events?since=last-week", 422, "since", "/events"),
                                    ("/stories?limit=0", 422, "limit", "/stories")]:
        response = page.goto(live + url)
        assert response.status == status and response.headers["content-type"].startswith("text/html"), url
        assert page.locator("nav[aria-label=Main] a").count() == len(NAV), url
        detail = page.locator("p.error-detail").inner_text()
        assert said in detail and "\n" not in detail, (url, detail)
        assert page.locator("a.back").get_attribute("href") == back, url
        api = client.get("/api" + url)
        assert api.status_code == status and api.headers["content-type"] == "application/json", url
        assert said in str(api.json()["detail"]) or status == 422, url
    shot(page, "error-bad-limit")
    page.goto(live + "/stories/s-nope")
    shot(page, "error-unknown-story")
    with page.expect_navigation() as nav:
        page.locator("a.back").click()
    assert nav.value.status == 200 and page.url == live + "/stories"


def test_done_when_china_and_russia_last_month(live, page):
    """What did China and Russia do to each other last month, who said it, which outlets reported
    it, and where: by clicking only, from the home page."""
    page.goto(live + "/")
    page.locator("nav[aria-label=Main] a", has_text="Dyads").click()
    row = page.locator("tr.dyad-row", has_text="CHN – RUS")
    with page.expect_navigation():
        row.locator("a.dyad-events").click()
    with page.expect_navigation():
        page.locator("a.last-month").click()
    since = page.locator("#f-since").input_value()
    assert since and page.locator("#f-country-0").input_value() in ("CHN", "RUS")
    rows = page.locator("tr.event-row")
    assert rows.count() == shown_total(page) >= 1
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td").all_inner_texts()
        assert cells[0] >= since  # last month
        assert "CHN" in cells[2] and "RUS" in cells[2]  # what each did to the other
        assert cells[4] and cells[5] and cells[6]  # who said it, which outlet, where (or "not stated")
    page.wait_for_selector("#places-map[data-rendered=true]", timeout=20_000)
    shot(page, "done-when-china-russia")
    outlet = rows.first.locator("td.outlet").inner_text()
    with page.expect_navigation():
        rows.first.locator("a.evidence").click()
    assert outlet in page.locator("p.meta").first.inner_text()  # the article, from that outlet
    speakers = page.locator("ul.quotes .speaker").all_inner_texts()
    assert speakers and any(s != "speaker unknown" for s in speakers)  # who said what in it
    shot(page, "done-when-article")


def test_alerts_link_their_evidence(live, page):
    page.goto(live + "/alerts")
    links = page.locator("ul.alerts a.evidence")
    assert links.count() == page.locator("ul.alerts > li > ul > li").count() >= 1  # every sentence is a link
    sentence = links.first.inner_text()
    with page.expect_navigation() as nav:
        links.first.click()
    assert nav.value.status == 200
    assert " ".join(sentence.split())[:40] in " ".join(page.locator(".text").inner_text().split())


# -- accessibility ----------------------------------------------------------------------------
CONTRAST = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                     return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
                                                                 if (c.length === 3 || c[3] > 0) return c; } return [255, 255, 255]; };
  const bad = [];
  document.querySelectorAll("body *").forEach(el => {
    if (el.closest("svg, .js-plotly-plot, script, style") || !el.offsetParent) return;
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) return;
    const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) bad.push(el.tagName + "." + el.className + ": " + ratio.toFixed(2));
  });
  return bad;
}"""
UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")].filter(el => el.type !== "hidden")
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
  .map(el => el.outerHTML)"""
# (#js-plotly-tester: an empty SVG Plotly keeps off-screen to measure text, not content.)
NO_TEXT_ALTERNATIVE = """() => [...document.querySelectorAll("img, svg:not(.js-plotly-plot svg):not(#js-plotly-tester), [data-chart]")]
  .filter(el => !el.getAttribute("alt") && !el.getAttribute("aria-label") && !el.closest("[aria-label]"))
  .map(el => el.outerHTML.slice(0, 120))"""


def test_pages_are_accessible(live, page, client):
    actor = client.get("/api/actors").json()["items"][0]["id"]
    article = client.get("/api/articles", params={"limit": 1}).json()["items"][0]["id"]
    for url in ["/", "/events", "/actors", "/quotes", "/dyads", "/outlets", "/stories", "/alerts", "/search?q=grain",
                f"/actors/{actor}", f"/articles/{article}", "/dyads/RUS/UKR", "/stories/s-nope"]:
        page.goto(live + url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(UNLABELLED) == [], url
        assert page.evaluate(NO_TEXT_ALTERNATIVE) == [], url
        assert page.evaluate(CONTRAST) == [], url
    # Keyboard: Tab reaches the navigation, and the focused link shows a visible outline.
    page.goto(live + "/events")
    for _ in range(3):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                                          return [document.activeElement.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
        assert focused[0] in ("A", "INPUT", "BUTTON", "SELECT") and focused[1] != "none" and focused[2] >= 2, focused
    assert page.evaluate("document.activeElement.closest('nav') !== null || document.activeElement.closest('header') !== null")
