"""The domain types: what Redline finds in an article and keeps of it.

Everything here is plain data (dataclasses and the id grammar of actors), imports nothing of
Redline's, and is what the stages hand each other and the store writes: an `Actor` named by
its `ActorId`, each `Mention` of one, a `Quote`, an `Event` with its `Place`, and an article's
`Sentence`s, `RemovedLine`s, the `ArticleRecord` written in one transaction, and the
`Failure` kept of an article a stage failed on.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field


# -- actors -------------------------------------------------------------------------------
def slug(text: str) -> str:
    """The last part of an actor id: "Sergei Lavrov" -> "sergei-lavrov"."""
    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-")


def is_state(code: str | None) -> bool:
    """Is this country code a state's (ISO 3166 alpha-3), not an international body's (UN, EU,
    NATO)? Decided by its length: a dictionary body with a three-letter code (IMF, ICC, WTO)
    passes too."""
    return bool(code) and len(code) == 3


@dataclass(frozen=True)
class ActorId:
    """The id of a canonical actor, `kind:part:...`, made and read only here:

        state:ISO3 | state:ISO3:SECTOR          a state, or one of its sectors ("state:RUS:GOV")
        person:SLUG                             a person ("person:sergei-lavrov")
        org:SLUG                                a body of the dictionary with no single country
        org:ISO3:SLUG | org:-:SLUG              a seat of power, or a body found in the text
        group:ISO3:SECTOR:SLUG                  people described, not named ("group:RUS:MIL:troops")
        group:ISO3|unplaced:CVL:ethnic-SLUG     an ethnic group
        anon:ISO3|-:SECTOR:SLUG                 an unnamed speaker ("a senior official")
        unidentified:ISO3                       unnamed attackers in a country
    """

    kind: str  # state | person | org | group | anon | unidentified
    parts: tuple[str, ...]

    # -- making ---------------------------------------------------------------------------
    @staticmethod
    def state(code: str, sector: str | None = None) -> str:
        return f"state:{code}" + (f":{sector}" if sector else "")

    @staticmethod
    def person(name: str) -> str:
        return f"person:{slug(name)}"

    @staticmethod
    def body(name: str) -> str:
        """A body of the dictionary (organisations.yaml), whatever its code."""
        return f"org:{slug(name)}"

    @staticmethod
    def organisation(name: str, country: str | None) -> str:
        """A seat of power ("the Kremlin") or a body found in the text, of a country or none."""
        return f"org:{country or '-'}:{slug(name)}"

    @staticmethod
    def group(country: str | None, sector: str | None, word: str) -> str:
        return f"group:{country}:{sector}:{slug(word)}"

    @staticmethod
    def ethnic_group(country: str | None, word: str) -> str:
        return f"group:{country or 'unplaced'}:CVL:ethnic-{slug(word)}"

    @staticmethod
    def anonymous(country: str | None, sector: str | None, role: str) -> str:
        return f"anon:{country or '-'}:{sector}:{slug(role)}"

    @staticmethod
    def unidentified(country: str) -> str:
        return f"unidentified:{country}"

    # -- reading --------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> ActorId:
        kind, _, rest = text.partition(":")
        return cls(kind, tuple(rest.split(":")) if rest else ())

    def __str__(self) -> str:
        return ":".join((self.kind, *self.parts))

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anon"

    @property
    def is_organisation(self) -> bool:
        return self.kind == "org"

    @property
    def is_dictionary_body(self) -> bool:
        """A body of the dictionary ("org:SLUG"), not a seat of power or a body found in the text."""
        return self.kind == "org" and len(self.parts) == 1


@dataclass(frozen=True)
class Actor:
    """A canonical actor. `id` (an `ActorId`) is stable across articles (the key of the actors table)."""

    id: str
    name: str
    kind: str                 # person | organisation | state
    country: str | None = None  # ISO 3166 alpha-3, or an IGO code (UN, NATO, EU ...)
    sector: str | None = None   # see data/roles.yaml
    role: str | None = None

    def as_record(self) -> dict:
        return {"name": self.name, "country": self.country, "sector": self.sector, "role": self.role}


@dataclass
class Mention:
    start: int  # character offsets in doc.text
    end: int
    text: str
    actor: Actor
    method: str  # dictionary | metonym | role | surname | fuzzy | title | ner

    def as_record(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "method": self.method,
                "actor_id": self.actor.id, "kind": self.actor.kind, **self.actor.as_record()}


# -- quotes and events ------------------------------------------------------------------------
@dataclass
class Quote:
    start: int
    end: int
    text: str
    kind: str                   # direct | partial | indirect; statement | question (redline.transcripts)
    speaker: Actor | None
    cue: str | None
    sentence: str
    speaker_start: int | None = None  # where the speaker is named (or referred to)

    def as_record(self) -> dict:
        return {
            "speaker": self.speaker.as_record() if self.speaker else None,
            "speaker_id": self.speaker.id if self.speaker else None,
            "speaker_kind": self.speaker.kind if self.speaker else None,
            "text": self.text, "kind": self.kind, "cue": self.cue,
            "start": self.start, "end": self.end, "sentence": self.sentence,
        }


@dataclass(frozen=True)
class Place:
    name: str
    country: str | None
    lat: float | None = None
    lon: float | None = None
    visited: bool = False  # the place a visit went to (its government hosts), not only where

    def as_record(self) -> dict:
        return {"name": self.name, "country": self.country, "lat": self.lat, "lon": self.lon}


# An event's status, firmest first. Only `asserted` (and not negated) events feed dyads,
# timelines' firm view and red-line alerts.
MODALITIES = (
    "asserted",      # the writer (or a speaker about their own side) states it happened, as news
    "alleged",       # someone else says it happened ("Kyiv said Russia shelled the city")
    "reported",      # unconfirmed media reports ("reportedly", "according to media reports")
    "future",        # announced, planned, scheduled, promised ("will meet", "plans to deploy")
    "hypothetical",  # conditional, possible, asked for, feared ("could send", "if Russia attacks")
    "background",    # named as the setting or history of the news ("since Russia's invasion")
)
# Happenings timelines, briefings and outlet coverage leave out unless asked (with negated ones):
# what may never happen, and history.
UNFIRM_MODALITIES = ("hypothetical", "background")


@dataclass
class Event:
    event_type: str
    mode: str | None
    source: list[Actor]
    target: list[Actor]
    date: dt.date | None
    date_precision: str
    date_text: str | None
    location: Place | None
    negated: bool
    modality: str
    attributed_to: Actor | None
    evidence: str
    trigger: str
    start: int          # the evidence sentence in the clean text
    end: int
    trigger_start: int
    trigger_end: int
    quad_class: str
    intensity: float
    confidence: float
    conditional: bool = False  # the act is made to depend on a condition ("... if Russia invades")

    @property
    def plover_type(self) -> str:
        """The PLOVER category: in PLOVER's codebook a cooperative act announced for the future
        is an AGREE (a commitment) and a coercive one a THREATEN; Redline keeps the act itself
        in `event_type` and its status in `modality`."""
        if self.negated and self.event_type == "AGREE" and self.modality in ("asserted", "alleged", "future"):
            return "REJECT"  # "failed to reach agreement", "refused to agree", "will not accept"
        if self.conditional and not self.negated and self.quad_class == "material-conflict":
            return "THREATEN"  # "the EC may halt mediation if cooperation founders": a threat
        if self.negated or self.modality != "future":
            return self.event_type
        if self.quad_class in ("verbal-cooperation", "material-cooperation"):
            return "AGREE"
        if self.quad_class == "material-conflict":
            return "THREATEN"  # "plans to impose restrictions", "will extend the curfew"
        return self.event_type

    def as_record(self) -> dict:
        actor = lambda a: {"name": a.name, "country": a.country, "sector": a.sector}  # noqa: E731
        return {
            "event_type": self.event_type, "mode": self.mode,
            "source": [actor(a) for a in self.source], "target": [actor(a) for a in self.target],
            "date": self.date, "date_precision": self.date_precision, "date_text": self.date_text,
            "location": self.location.as_record() if self.location else None,
            "negated": self.negated, "modality": self.modality,
            "attributed_to": actor(self.attributed_to) if self.attributed_to else None,
            "evidence": self.evidence, "trigger": self.trigger, "start_char": self.start, "end_char": self.end,
            "trigger_start": self.trigger_start, "trigger_end": self.trigger_end,
            "quad_class": self.quad_class, "intensity": self.intensity, "confidence": self.confidence,
        }


# -- articles ---------------------------------------------------------------------------------
@dataclass
class RemovedLine:
    seq: int
    text: str
    reason: str


@dataclass
class Sentence:
    start: int
    end: int
    text: str


@dataclass
class ArticleRecord:
    """Everything Redline stores about one article, ready to write."""

    id: str
    raw: str
    text: str
    content_hash: str
    metadata_hash: str
    source_path: str
    source_format: str
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    published: dt.date | None = None
    published_source: str | None = None
    outlet_source: str | None = None
    language: str | None = None
    language_score: float | None = None
    nlp_note: str | None = None
    removed: list[RemovedLine] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    short_lines: list[str] = field(default_factory=list)
    terms: list[str] | None = None  # content lemmas, for story clustering
    mentions: list[dict] = field(default_factory=list)  # Mention.as_record()
    quotes: list[dict] = field(default_factory=list)    # Quote.as_record() + speaker_id
    events: list[dict] = field(default_factory=list)    # Event.as_record()


@dataclass
class Failure:
    """An article a stage failed on (a row of `failures`)."""

    article_id: str
    source_path: str
    line: int | None
    stage: str
    problem: str
    source_format: str
    is_html: bool
    raw: str
    meta: str  # JSON
    content_hash: str
    metadata_hash: str
