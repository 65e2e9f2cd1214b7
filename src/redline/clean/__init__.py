"""Cleaning: the article text out of a scraped page, and what was removed from it."""

from redline.clean.text import CleanText, clean_text, load_furniture_rules, short_line_key, split_lines

__all__ = ["CleanText", "clean_text", "load_furniture_rules", "short_line_key", "split_lines"]
