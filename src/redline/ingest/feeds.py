"""Continuous ingest from RSS and Atom feeds: `redline ingest --feed URL_OR_FILE [--every 10m]`.

Each poll reads the feeds (feedparser), skips entries already stored (an entry's article id
comes from its link), fetches the linked pages politely and hands them to the ordinary
`Ingestor` as HTML articles, with the feed's title as outlet and the entry's date and title as
metadata (the page's own metadata fills what the feed leaves out).

Polite fetching (`Fetcher`): a User-Agent naming Redline; time-outs; retries with exponential
backoff on time-outs, connection errors, 429 and 5xx (honouring Retry-After); at most one
request per host every `fetch_host_interval_seconds`; robots.txt read once per host and
obeyed (none, or a 4xx, allows everything; a 5xx or no answer allows nothing, for now);
pages larger than `max_file_bytes` are cut off and refused.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
import time
import urllib.robotparser
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import feedparser
import httpx

from redline import __version__
from redline.config import Settings
from redline.errors import InputError
from redline.ingest.readers import RawArticle, decode
from redline.store import Store

USER_AGENT = f"Redline/{__version__} (news event coder; obeys robots.txt)"
RETRY_STATUSES = {429, 500, 502, 503, 504}


class FetchError(Exception):
    pass


@dataclass
class Fetcher:
    """An HTTP client that is polite to the sites it reads (see the module's docstring)."""

    settings: Settings = field(default_factory=Settings)
    _client: httpx.Client | None = None
    _robots: dict[str, urllib.robotparser.RobotFileParser] = field(default_factory=dict)
    _last_request: dict[str, float] = field(default_factory=dict)

    @property
    def user_agent(self) -> str:
        return self.settings.fetch_user_agent or USER_AGENT

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            s = self.settings
            self._client = httpx.Client(
                headers={"User-Agent": self.user_agent}, follow_redirects=True,
                timeout=httpx.Timeout(s.fetch_timeout_seconds, connect=min(5.0, s.fetch_timeout_seconds)))
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def get(self, url: str, obey_robots: bool = True) -> bytes:
        """The body at `url`, after robots.txt, the host's interval and any retries; FetchError if not."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchError("not an http(s) URL")
        if obey_robots and not self._allowed(url):
            raise FetchError("disallowed by the site's robots.txt")
        attempts = self.settings.fetch_retries + 1
        for attempt in range(attempts):
            problem = None
            self._wait_for_host(parts.netloc)
            try:
                status, body, retry_after = self._request(url)
            except httpx.TransportError as err:  # time-outs, refused or dropped connections
                problem, retry_after = f"{type(err).__name__}: {' '.join(str(err).split()) or 'no answer'}", None
            finally:  # the interval runs from the end of one request to the start of the next
                self._last_request[parts.netloc] = time.monotonic()
            if problem is None:
                if status < 300:
                    return body
                problem = f"HTTP {status}"
                if status not in RETRY_STATUSES:
                    raise FetchError(problem)
            if attempt + 1 < attempts:
                time.sleep(retry_after if retry_after is not None else self.settings.fetch_backoff_seconds * 2 ** attempt)
        raise FetchError(f"{problem} (after {attempts} attempts)")

    def _request(self, url: str) -> tuple[int, bytes, float | None]:
        limit = self.settings.max_file_bytes
        with self.client.stream("GET", url) as response:
            retry_after = response.headers.get("retry-after", "")
            wait = min(float(retry_after), 60.0) if retry_after.isdigit() else None
            if response.status_code >= 300:
                return response.status_code, b"", wait
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise FetchError(f"page is over {limit:,} bytes (max_file_bytes)")
            return response.status_code, bytes(body), wait

    def _wait_for_host(self, host: str) -> None:
        since = time.monotonic() - self._last_request.get(host, float("-inf"))
        if since < self.settings.fetch_host_interval_seconds:
            time.sleep(self.settings.fetch_host_interval_seconds - since)

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            parser = urllib.robotparser.RobotFileParser()
            try:
                text = self.get(origin + "/robots.txt", obey_robots=False).decode("utf-8", errors="replace")
                parser.parse(text.splitlines())
            except FetchError as err:
                # No robots.txt (4xx) allows everything; a failing server allows nothing.
                parser.parse([] if str(err).startswith("HTTP 4") else ["User-agent: *", "Disallow: /"])
            self._robots[origin] = parser
        return self._robots[origin].can_fetch(self.user_agent, url)


def article_id_for_url(url: str) -> str:
    """A stable id for a page: its host and a hash of the whole URL (the fragment left out)."""
    bare = url.split("#", 1)[0]
    host = re.sub(r"[^a-z0-9.-]", "", urlsplit(bare).netloc.lower().removeprefix("www."))
    return f"{host}-{hashlib.sha256(bare.encode()).hexdigest()[:12]}"


def read_feed(source: str, fetcher: Fetcher) -> feedparser.FeedParserDict:
    """A feed from a URL or a file; InputError when it cannot be read or holds no feed."""
    try:
        if re.match(r"https?://", source):
            data = fetcher.get(source)
        else:
            data = Path(source).read_bytes()
    except (FetchError, OSError) as err:
        raise InputError(source, f"cannot read the feed ({err})") from None
    parsed = feedparser.parse(data)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        reason = " ".join(str(parsed.get("bozo_exception", "no entries")).split())
        raise InputError(source, f"not an RSS or Atom feed ({reason})")
    return parsed


def entry_date(entry) -> dt.date | None:
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    return dt.datetime.fromtimestamp(calendar.timegm(when), dt.timezone.utc).date() if when else None


def feed_articles(sources: list[str], fetcher: Fetcher, store: Store, force: bool = False,
                  retry_failed: bool = False) -> Iterator[RawArticle | InputError]:
    """The new entries of `sources` as HTML articles (or the error that stops each). An entry
    already stored, or one a stage failed on (unless retrying), is not fetched again."""
    failed = set() if retry_failed or force else set(store.failed_identities())
    for source in sources:
        try:
            feed = read_feed(source, fetcher)
        except InputError as err:
            yield err
            continue
        outlet = " ".join((feed.feed.get("title") or urlsplit(source).netloc or Path(source).stem).split())
        for entry in feed.entries:
            link = (entry.get("link") or "").strip()
            if not link:
                yield InputError(source, f"entry {entry.get('title', '?')!r} has no link")
                continue
            article_id = article_id_for_url(link)
            if not force and (article_id in failed or store.article_identity(article_id)):
                continue
            try:
                html, _ = decode(fetcher.get(link), Path(link), html=True)
            except FetchError as err:
                yield InputError(link, f"cannot fetch the page ({err})")
                continue
            except InputError as err:
                yield InputError(link, err.problem)
                continue
            meta = {"url": link, "outlet": outlet, "title": entry.get("title")}
            if published := entry_date(entry):
                meta["published"] = published
            yield RawArticle(article_id, link, "feed", html, is_html=True, meta={k: v for k, v in meta.items() if v})


def parse_every(text: str) -> float:
    """'30s', '10m', '2h' -> seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh])\s*", text or "")
    if not m:
        raise ValueError(f"--every {text!r}: expected a number and s, m or h (e.g. 10m)")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2)]
