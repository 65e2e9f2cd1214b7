"""Redline: who did what to whom, from news text, with evidence."""

__version__ = "0.1.0"
