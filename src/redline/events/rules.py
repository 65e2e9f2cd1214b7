"""The event rules of data/events.yaml (plus user files), as lookup tables for the matcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from redline import schemas

QUADS = {"verbal-cooperation", "material-cooperation", "verbal-conflict", "material-conflict"}


@dataclass(frozen=True)
class Rule:
    event_type: str
    lemma: str
    nominal: bool
    mode: str | None = None
    particle: str | None = None
    object_words: frozenset[str] = frozenset()
    object_not: frozenset[str] = frozenset()  # objects that make it something else
    mentions: frozenset[str] = frozenset()  # words that must appear in the subject or object
    object_kind: str | None = None
    complement: frozenset[str] = frozenset()  # what the object is called: "called the vote a sham"
    target_preps: tuple[str, ...] = ()
    swap: bool = False
    requires_modifier: frozenset[str] = frozenset()
    requires_joint: bool = False
    requires_target: bool = False
    requires_future: bool = False  # the clause it governs speaks of the future ("warned that police will ...")
    active_only: bool = False  # not in the passive
    patient_possessor: bool = False  # "Navalny's arrest": the possessive is the target


@dataclass
class EventType:
    name: str
    quad: str
    intensity: float
    modes: dict[str, list[str]] = field(default_factory=dict)
    unnamed_source: str | None = None  # see data/events.yaml


@dataclass
class EventRules:
    types: dict[str, EventType] = field(default_factory=dict)
    verbs: dict[str, list[Rule]] = field(default_factory=dict)
    nouns: dict[str, list[Rule]] = field(default_factory=dict)
    negators: frozenset[str] = frozenset()
    negating_determiners: frozenset[str] = frozenset()
    negating_nouns: frozenset[str] = frozenset()
    future: frozenset[str] = frozenset()
    hypothetical: frozenset[str] = frozenset()
    alleged: frozenset[str] = frozenset()
    request_modals: frozenset[str] = frozenset()
    reported: frozenset[str] = frozenset()
    background_preps: frozenset[str] = frozenset()
    background_marks: frozenset[str] = frozenset()

    def add(self, data: dict, source: str) -> None:
        for name, spec in (data.get("types") or {}).items():
            known = self.types.get(name)
            quad = spec.get("quad", known.quad if known else None)
            if quad not in QUADS:
                raise ValueError(f"{source}: type {name}: quad must be one of {', '.join(sorted(QUADS))}")
            intensity = float(spec.get("intensity", known.intensity if known else 0.0))
            if not -10 <= intensity <= 10:
                raise ValueError(f"{source}: type {name}: intensity must be within -10..10")
            modes = dict(known.modes) if known else {}
            for mode, words in (spec.get("modes") or {}).items():
                modes[mode] = list(modes.get(mode, [])) + list(words)
            unnamed = spec.get("unnamed_source", known.unnamed_source if known else None)
            self.types[name] = EventType(name, quad, intensity, modes, unnamed)
            for key, table, nominal in (("verbs", self.verbs, False), ("nouns", self.nouns, True)):
                for entry in spec.get(key) or []:
                    if spec.get("requires_target") and isinstance(entry, (str, dict)):
                        entry = ({"lemma": entry} if isinstance(entry, str) else dict(entry)) | {"requires_target": True}
                    rule = _rule(name, entry, nominal, source)
                    table.setdefault(rule.lemma, []).append(rule)
        for key in ("negators", "negating_determiners", "negating_nouns", "future", "hypothetical", "alleged",
                    "request_modals", "reported", "background_preps", "background_marks"):
            if key in data:
                setattr(self, key, getattr(self, key) | frozenset(str(w).lower() for w in data[key]))


def _rule(event_type: str, entry, nominal: bool, source: str) -> Rule:
    if isinstance(entry, str):
        entry = {"lemma": entry}
    if not isinstance(entry, dict) or "lemma" not in entry:
        raise ValueError(f"{source}: type {event_type}: every trigger needs a lemma ({entry!r})")
    words = lambda key: frozenset(str(w).lower() for w in entry.get(key) or [])  # noqa: E731
    return Rule(
        event_type=event_type,
        lemma=str(entry["lemma"]).lower(),
        nominal=nominal,
        mode=entry.get("mode"),
        particle=entry.get("particle"),
        object_words=words("object"),
        object_not=words("object_not"),
        mentions=words("mentions"),
        object_kind=entry.get("object_kind"),
        complement=words("complement"),
        target_preps=tuple(entry.get("target") or ()),
        swap=bool(entry.get("swap")),
        requires_modifier=words("requires_modifier"),
        requires_joint=bool(entry.get("requires_joint")),
        requires_target=bool(entry.get("requires_target")),
        requires_future=bool(entry.get("requires_future")),
        active_only=bool(entry.get("active_only")),
        patient_possessor=bool(entry.get("patient_possessor")),
    )


def load_rules(extra: Iterable[str | Path] = ()) -> EventRules:
    rules = EventRules()
    rules.add(schemas.shipped("events.yaml", "events"), "events.yaml")
    for path in extra:  # checked against redline.schemas.events: RuleFileError (a ValueError)
        rules.add(schemas.read(path, "events") or {}, str(path))
    return rules


@lru_cache(maxsize=8)
def cached_rules(extra: tuple[str, ...] = ()) -> EventRules:
    return load_rules(extra)
