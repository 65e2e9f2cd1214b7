"""The schema of event-rule files: `src/redline/data/events.yaml` and the user's `--rules` files.

To give the event coder a new key, add it here (with its type or its choices) and describe it
in the header of data/events.yaml; a key the coder does not read does not belong in either.
"""

from __future__ import annotations

from redline.schemas.check import BOOL, STR, Choice, Either, Keys, ListOf, MapOf, Range

QUADS = ("verbal-cooperation", "material-cooperation", "verbal-conflict", "material-conflict")

# What a trigger's object must be (the event coder's `object_kind` test).
OBJECT_KINDS = (
    "person", "actor", "thing", "none", "place", "actor_or_place", "place_or_person", "forces",
    "nonmaterial", "clause",
)

WORDS = ListOf(STR)

# Who did an act the text names no one for (see data/events.yaml): the country, or its people
# of a sector (data/roles.yaml).
UNNAMED_SOURCES = ("country", "GOV", "MIL", "JUD", "CVL", "UAF")

# One trigger: a lemma alone ("agree"), or a mapping with the lemma and its conditions.
TRIGGER_KEYS = Keys(
    {
        "lemma": STR,
        "mode": STR,
        "particle": STR,
        "object": WORDS,
        "object_not": WORDS,
        "mentions": WORDS,
        "object_kind": Choice(OBJECT_KINDS, what="object_kind"),
        "complement": WORDS,
        "target": WORDS,
        "swap": BOOL,
        "requires_modifier": WORDS,
        "requires_joint": BOOL,
        "requires_target": BOOL,
        "requires_future": BOOL,
        "active_only": BOOL,
        "patient_possessor": BOOL,
    },
    required=("lemma",),
    kind="a trigger (a lemma, or a mapping with `lemma`)",
)
TRIGGER = Either((STR, TRIGGER_KEYS))

EVENT_TYPE = Keys(
    {
        "quad": Choice(QUADS, what="quad class"),
        "intensity": Range(-10, 10),
        "verbs": ListOf(TRIGGER),
        "nouns": ListOf(TRIGGER),
        "requires_target": BOOL,
        "modes": MapOf(WORDS),
        "unnamed_source": Choice(UNNAMED_SOURCES, what="unnamed_source"),
    },
    kind="an event type (quad, intensity, verbs, nouns, modes, unnamed_source)",
)

EVENTS = Keys(
    {
        "types": MapOf(EVENT_TYPE),
        "negators": WORDS,
        "negating_determiners": WORDS,
        "negating_nouns": WORDS,
        "future": WORDS,
        "hypothetical": WORDS,
        "alleged": WORDS,
        "request_modals": WORDS,
        "reported": WORDS,
        "background_preps": WORDS,
        "background_marks": WORDS,
    },
    kind="event rules (a mapping with `types`)",
)
