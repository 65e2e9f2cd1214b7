"""Actors: mentions of people, organisations and countries resolved to canonical actors."""

from redline.actors.component import ActorResolver
from redline.actors.dictionary import ActorDictionary, cached_dictionary, load_dictionary

__all__ = ["ActorDictionary", "ActorResolver", "cached_dictionary", "load_dictionary"]
