"""What the coder asks of events and actors (the Event type itself is in redline.model)."""

from __future__ import annotations

from redline.model import Actor, ActorId, Event


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
    return bool(actor.country) or (actor.kind == "person" and bool(actor.role)) or ActorId.parse(actor.id).is_dictionary_body
