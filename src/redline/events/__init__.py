"""Events: PLOVER-coded who-did-what-to-whom, with negation, modality, dates and places."""

from redline.events.component import EventCoder
from redline.events.rules import EventRules, cached_rules, load_rules

__all__ = ["EventCoder", "EventRules", "cached_rules", "load_rules"]
