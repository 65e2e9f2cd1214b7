"""`redline ingest --feed`: feeds and pages served by a real HTTP server on 127.0.0.1, some of
them slow, failing, refused by robots.txt, too big or malformed."""

import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from redline.ingest.feeds import USER_AGENT, article_id_for_url, parse_every
from redline.store import Store

PAGE = """<!DOCTYPE html><html><head><title>{title} | Harbour Wire</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{title}</h1>
<p>{lead}</p>
<p>The talks will continue next month in the same city, a spokesperson for the delegation added on Tuesday.</p>
</article><footer>Copyright Harbour Wire</footer></body></html>"""
LEADS = {
    "/news/grain": ("Grain talks resume", "Foreign ministers of Turkey and Ukraine met in Istanbul on Monday to discuss grain shipments."),
    "/news/border": ("Border meeting", "Officials from India and China met at the border on Monday to discuss troop withdrawals."),
    "/news/flaky": ("Flaky server story", "Brazil and Argentina signed a trade agreement in Buenos Aires on Monday, officials said."),
    "/news/busy": ("Busy server story", "Kenya sent aid to Somalia after the floods on Monday, the foreign ministry said."),
    "/news/atom": ("Atom entry", "Japan accused North Korea of firing a missile into the sea on Monday, officials said."),
    "/news/later": ("Added later", "Egypt hosted talks between Israeli and Palestinian officials in Cairo on Monday."),
}


def rss(base, items):
    entries = "".join(
        f"<item><title>{title}</title>{f'<link>{base}{path}</link>' if path else ''}"
        f"<pubDate>Mon, 20 Mar 2023 09:00:00 GMT</pubDate></item>" for path, title in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Wire</title><link>{base}/</link>{entries}</channel></rss>'


class Site(BaseHTTPRequestHandler):
    """A news site with every kind of trouble; it counts the requests to each path."""
    requests: dict = defaultdict(list)  # path -> [(time, user agent)]
    feed_items: list = []

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", kind="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        seen = self.requests[path]
        seen.append((time.monotonic(), self.headers.get("User-Agent")))
        base = f"http://127.0.0.1:{self.server.server_port}"
        if path == "/robots.txt":
            return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/feed.xml":
            return self.send(200, rss(base, self.feed_items).encode(), "application/rss+xml")
        if path == "/atom.xml":
            atom = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Pacific Desk</title>'
                    f'<entry><title>Atom entry</title><link href="{base}/news/atom"/><updated>2023-03-21T10:00:00Z</updated></entry></feed>')
            return self.send(200, atom.encode(), "application/atom+xml")
        if path == "/broken.xml":
            return self.send(200, b"<html><body>This is no feed <<< </body>", "application/rss+xml")
        if path == "/slow":
            time.sleep(2.5)
            return self.send(200, PAGE.format(title="Slow", lead="Too late.").encode())
        if path == "/news/flaky" and len(seen) < 3:
            return self.send(503)
        if path == "/news/busy" and len(seen) < 2:
            return self.send(429, headers=[("Retry-After", "1")])
        if path == "/big":
            return self.send(200, b"<p>" + b"word " * 100_000 + b"</p>")
        if path == "/news/huge":  # over the 1,000,000 characters spaCy's tokenizer takes (no two paragraphs alike)
            paragraphs = "".join(f"<p>Ministers of Turkey and Greece met in Athens for the {n}th time to discuss the "
                                 "border, officials said.</p>" for n in range(11_000))
            return self.send(200, f"<html><body><article>{paragraphs}</article></body></html>".encode())
        if path in LEADS:
            title, lead = LEADS[path]
            return self.send(200, PAGE.format(title=title, lead=lead).encode())
        return self.send(404, b"not here")


ITEMS = [("/news/grain", "Grain talks resume"), ("/news/border", "Border meeting"), ("/slow", "Slow page"),
         ("/news/flaky", "Flaky"), ("/news/busy", "Busy"), ("/gone", "Gone"), ("/private/memo", "Private"),
         ("/big", "Big"), (None, "No link at all")]


@pytest.fixture
def site():
    Site.requests = defaultdict(list)
    Site.feed_items = list(ITEMS)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "redline.yaml"
    path.write_text(yaml.safe_dump({"fetch_timeout_seconds": 1.0, "fetch_retries": 2, "fetch_backoff_seconds": 0.1,
                                    "fetch_host_interval_seconds": 0.3, "max_file_bytes": 200_000}))
    return path


def test_feeds_are_read_and_their_pages_fetched_politely(run_cli, site, config, db):
    result = run_cli("ingest", "--feed", f"{site}/feed.xml", "--feed", f"{site}/atom.xml", "--feed", f"{site}/broken.xml",
                     "--feed", f"{site}/missing.xml", "--config", config, "--db", db)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    expected = {
        f"{site}/slow: cannot fetch the page (ReadTimeout": 1, f"{site}/gone: cannot fetch the page (HTTP 404)": 1,
        f"{site}/private/memo: cannot fetch the page (disallowed by the site's robots.txt)": 1,
        f"{site}/big: cannot fetch the page (page is over 200,000 bytes": 1,
        f"{site}/broken.xml: not an RSS or Atom feed": 1, "entry 'No link at all' has no link": 1,
        f"{site}/missing.xml: cannot read the feed (HTTP 404)": 1,
    }
    for start, count in expected.items():
        assert sum(start in e for e in errors) == count, (start, errors)
    assert len(errors) == len(expected)
    with Store(db, read_only=True) as store:
        stored = {r["id"]: r for r in store.query("SELECT id, url, outlet, title, published, text FROM articles")}
    assert set(stored) == {article_id_for_url(f"{site}{p}") for p in ("/news/grain", "/news/border", "/news/flaky",
                                                                       "/news/busy", "/news/atom")}
    grain = stored[article_id_for_url(f"{site}/news/grain")]
    assert grain["outlet"] == "Harbour Wire" and grain["title"] == "Grain talks resume" and str(grain["published"]) == "2023-03-20"
    assert "met in Istanbul on Monday" in grain["text"] and "Copyright" not in grain["text"]
    assert stored[article_id_for_url(f"{site}/news/atom")]["outlet"] == "Pacific Desk"

    requests = Site.requests
    assert len(requests["/robots.txt"]) == 1 and requests["/private/memo"] == []  # read once, obeyed
    assert len(requests["/slow"]) == 3 and len(requests["/gone"]) == 1  # time-outs retried, a 404 not
    assert len(requests["/news/flaky"]) == 3 and len(requests["/news/busy"]) == 2  # 503s and a 429 retried
    busy = [t for t, _ in requests["/news/busy"]]
    assert busy[1] - busy[0] >= 0.95  # Retry-After: 1 honoured
    every = sorted(t for seen in requests.values() for t, _ in seen)
    assert min(b - a for a, b in zip(every, every[1:])) >= 0.28  # one host: 0.3 s between requests
    assert {agent for seen in requests.values() for _, agent in seen} == {USER_AGENT}


def test_a_second_poll_fetches_only_new_entries(run_cli, site, config, db):
    Site.feed_items = ITEMS[:2]
    first = run_cli("ingest", "--feed", f"{site}/feed.xml", "--config", config, "--db", db)
    assert first.exit_code == 0 and "2 stored" in first.output
    Site.feed_items = ITEMS[:2] + [("/news/later", "Added later")]
    second = run_cli("ingest", "--feed", f"{site}/feed.xml", "--config", config, "--db", db)
    assert second.exit_code == 0 and "1 stored" in second.output
    assert len(Site.requests["/news/grain"]) == 1 and len(Site.requests["/news/later"]) == 1


def test_every_keeps_polling_until_interrupted(site, config, db):
    Site.feed_items = ITEMS[:1]
    poller = subprocess.Popen([sys.executable, "-m", "redline", "ingest", "--feed", f"{site}/feed.xml", "--every", "1s",
                               "--config", str(config), "--db", str(db), "--quiet"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while len(Site.requests["/feed.xml"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        Site.feed_items = ITEMS[:1] + [("/news/later", "Added later")]
        while not Site.requests["/news/later"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert Site.requests["/news/later"], "the entry added between polls was never fetched"
        time.sleep(1.0)
    finally:
        poller.send_signal(signal.SIGINT)
        assert poller.wait(300) == 0, poller.stderr.read()[-2000:]
    with Store(db, read_only=True) as store:
        assert store.query("SELECT count(*) AS n FROM articles")[0]["n"] == 2


def test_a_page_a_stage_fails_on_stops_neither_the_poll_nor_the_poller(site, tmp_path, db):
    config = tmp_path / "huge.yaml"
    config.write_text(yaml.safe_dump({"fetch_timeout_seconds": 5.0, "fetch_host_interval_seconds": 0.1,
                                      "max_file_bytes": 5_000_000, "max_article_chars": 2_000_000}))
    Site.feed_items = [("/news/grain", "Grain talks resume"), ("/news/huge", "Huge"), ("/news/border", "Border meeting")]
    poller = subprocess.Popen([sys.executable, "-m", "redline", "ingest", "--feed", f"{site}/feed.xml", "--every", "1s",
                               "--config", str(config), "--db", str(db), "--quiet"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while len(Site.requests["/feed.xml"]) < 3 and time.monotonic() < deadline and poller.poll() is None:
            time.sleep(0.2)
        assert len(Site.requests["/feed.xml"]) >= 3, "the poller stopped polling"
    finally:
        poller.send_signal(signal.SIGINT)
        # stopped between polls, or in one (what it stored is whole); the bound is generous because
        # a poll under way finishes its article and a loaded machine can take long: this test is
        # about stopping, not about how fast
        assert poller.wait(300) in (0, 130)
    stderr = poller.stderr.read()
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    huge = article_id_for_url(f"{site}/news/huge")
    assert "Traceback" not in stderr and len(errors) == 1, stderr[-3000:]
    assert errors[0].startswith(f"error: {site}/news/huge (article {huge}): tokenizer: ValueError: [E088]")
    assert len(Site.requests["/news/huge"]) == 1  # kept as failed, not fetched again by the next polls
    with Store(db, read_only=True) as store:
        assert {r["id"] for r in store.query("SELECT id FROM articles")} == {
            article_id_for_url(f"{site}/news/grain"), article_id_for_url(f"{site}/news/border")}
        assert [r["article_id"] for r in store.query("SELECT article_id FROM failures")] == [huge]


@pytest.mark.parametrize("text, seconds", [("30s", 30), ("10m", 600), ("2h", 7200), ("1.5m", 90)])
def test_intervals(text, seconds):
    assert parse_every(text) == seconds


def test_bad_interval_is_refused(run_cli, db):
    result = run_cli("ingest", "--feed", "x.xml", "--every", "often", "--db", db)
    assert result.exit_code == 2 and "--every 'often'" in result.output
