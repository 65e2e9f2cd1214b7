"""Actors: mentions of people, organisations and countries resolved to canonical actors."""

from redline.actors.component import ActorResolver, Mention
from redline.actors.dictionary import Actor, ActorDictionary, cached_dictionary, load_dictionary

__all__ = ["Actor", "ActorDictionary", "ActorResolver", "Mention", "cached_dictionary", "load_dictionary"]
