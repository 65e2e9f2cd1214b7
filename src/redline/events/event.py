"""The coded event: who did what to whom, when and where, and whether it happened at all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from redline.actors.dictionary import Actor
from redline.events.places import Place


def unplaced(actors: list["Actor"]) -> bool:
    """No actor, or only people of no known country: a side the context may still place."""
    return all(a.kind == "person" and not a.country for a in actors)


def same_act(a: "Event", b: "Event") -> bool:
    """Two triggers of one sentence coding the same act ("struck ... destroying"): same type,
    sources and status, and one's targets among the other's."""
    ids = lambda xs: {x.id for x in xs}  # noqa: E731
    return (a.event_type, a.start, a.negated, a.modality) == (b.event_type, b.start, b.negated, b.modality) \
        and ids(a.source) == ids(b.source) and (ids(b.target) <= ids(a.target) or ids(a.target) <= ids(b.target))


def codable(actor: Actor) -> bool:
    """An actor an event can name: one with a country, a titled person ("President X"), or a
    body of the dictionary with no single country ("Amnesty International", "Red Cross")."""
    return bool(actor.country) or (actor.kind == "person" and bool(actor.role)) or actor.id.startswith("org:") \
        and actor.id.count(":") == 1


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
