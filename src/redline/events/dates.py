"""The date of an event from the words of its sentence, against the publication date.

dateparser reads explicit dates ("February 24", "March 2023") but, measured here
(../shared/notes/nlp-backbone.md), puts "on Tuesday" a week early in an article published
on a Tuesday and returns nothing for "last year", "last November" or "next spring"; those
relative expressions are resolved by the rules below instead.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import dateparser
from redline.lang import words as _language_words

WORDS = _language_words("dates")

WEEKDAYS = WORDS.list("weekdays")
MONTHS = WORDS.list("months")
MONTH_ABBREVIATIONS = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
SEASONS = WORDS.map("seasons")
NUMBERS = WORDS.map("numbers")
COUNTED = re.compile(r"(\d{1,3}|" + "|".join(NUMBERS) + r") (years?|months?)(?: ago| earlier| before)?")
VAGUE = re.compile(r"\b(recent|recently|weeks?|months?|days|past|coming|soon|ago|earlier this|later this)\b")


@dataclass(frozen=True)
class ResolvedDate:
    date: dt.date
    precision: str  # day | month | year | unknown
    text: str | None


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    if word in MONTHS:
        return MONTHS.index(word) + 1
    return MONTH_ABBREVIATIONS.get(word[:4] if word.startswith("sept") else word[:3]) if len(word) >= 3 else None


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def resolve(text: str, published: dt.date, future: bool = False) -> ResolvedDate | None:
    """Resolve a date expression; None when it names no date at all ("for years").

    A date outside the years 1 to 9999 ("last year" in a record published on 0001-01-01, Go's
    zero time; "tomorrow" on 9999-12-31) cannot be represented: the publication date stands
    in, with precision unknown, as for a sentence that gives no date."""
    try:
        return _resolve(text, published, future)
    except (OverflowError, ValueError):  # date arithmetic beyond dt.date.min or dt.date.max
        return ResolvedDate(published, "unknown", " ".join(text.split()))


def _resolve(text: str, published: dt.date, future: bool) -> ResolvedDate | None:
    raw = " ".join(text.split())
    t = raw.lower().replace("’", "'")
    t = re.sub(r"'s$", "", t)
    words = re.findall(r"[a-z]+|\d+", t)
    if not words:
        return None

    if "today" in words or "tonight" in words or t.startswith("this morning") or t.startswith("this evening"):
        return ResolvedDate(published, "day", raw)
    if "yesterday" in words:
        return ResolvedDate(published - dt.timedelta(days=1), "day", raw)
    if "tomorrow" in words:
        return ResolvedDate(published + dt.timedelta(days=1), "day", raw)

    # "last year", "next year", "this year", "February last year", "last November"
    year = published.year
    if "last" in words and "year" in words:
        year -= 1
    elif "next" in words and "year" in words:
        year += 1
    month = next((_month(w) for i, w in enumerate(words) if _month(w) and (w != "may" or len(words) == 1 or
                  any(x.isdigit() for x in words[max(i - 1, 0):i + 2]))), None)
    season = next((SEASONS[w] for w in words if w in SEASONS), None)
    explicit_year = next((int(w) for w in words if w.isdigit() and len(w) == 4 and 1900 <= int(w) <= 2100), None)
    day_number = next((int(w) for w in words if w.isdigit() and 1 <= int(w) <= 31 and len(w) <= 2), None)

    weekday = next((WEEKDAYS.index(w) for w in words if w in WEEKDAYS), None)
    if weekday is not None and month is None:
        if "last" in words and "week" not in words:
            delta = (published.weekday() - weekday) % 7 or 7
            return ResolvedDate(published - dt.timedelta(days=delta), "day", raw)
        if future or "next" in words:
            delta = (weekday - published.weekday()) % 7 or (7 if "next" in words else 0)
            return ResolvedDate(published + dt.timedelta(days=delta), "day", raw)
        # News tense: "on Tuesday" is the latest Tuesday on or before the publication day.
        delta = (published.weekday() - weekday) % 7
        return ResolvedDate(published - dt.timedelta(days=delta), "day", raw)

    if season is not None:
        y = explicit_year or year
        if "next" in words and "year" not in words:
            y = published.year + (1 if published.month >= season else 0)
        elif "last" in words and "year" not in words:
            y = published.year - (1 if published.month <= season + 2 else 0)
        return ResolvedDate(dt.date(y, season, 1), "month", raw)

    if month is not None:
        if explicit_year:
            y = explicit_year
        elif "year" in words and ("last" in words or "next" in words):
            y = year  # "February last year"
        else:
            here = (month, day_number or 1)
            now = (published.month, published.day)
            if "last" in words:  # "last November": the latest one before this month
                y = published.year - 1 if month >= published.month else published.year
            elif "next" in words or future:
                y = published.year + 1 if here < now else published.year
            else:  # "on February 24": the latest such date on or before publication
                y = published.year - 1 if here > now else published.year
        if day_number:
            try:
                return ResolvedDate(dt.date(y, month, day_number), "day", raw)
            except ValueError:
                pass
        return ResolvedDate(dt.date(y, month, 1), "month", raw)

    if explicit_year is not None and len(words) <= 3:
        return ResolvedDate(dt.date(explicit_year, 1, 1), "year", raw)
    if "year" in words and ("last" in words or "next" in words or "this" in words):
        return ResolvedDate(dt.date(year, 1, 1), "year", raw)
    if "last" in words and "month" in words:
        return ResolvedDate(_shift_months(published, -1), "month", raw)
    counted = COUNTED.fullmatch(t)
    if counted:
        # "18 years after Washington invaded", "two months ago": as precise as the unit counted
        n = NUMBERS.get(counted[1]) or int(counted[1])
        if counted[2].startswith("year"):
            return ResolvedDate(dt.date(published.year - n, 1, 1), "year", raw)
        return ResolvedDate(_shift_months(published, -n), "month", raw)
    if "next" in words and "month" in words:
        return ResolvedDate(_shift_months(published, 1), "month", raw)
    if VAGUE.search(t) or "week" in words:
        return ResolvedDate(published, "unknown", raw)

    # Anything else explicit: let dateparser read it against the publication date.
    settings = {
        "RELATIVE_BASE": dt.datetime.combine(published, dt.time()),
        "PREFER_DATES_FROM": "future" if future else "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    data = dateparser.date.DateDataParser(languages=["en"], settings=settings).get_date_data(raw)
    if data and data.date_obj:
        precision = {"day": "day", "month": "month", "year": "year"}.get(data.period, "day")
        return ResolvedDate(data.date_obj.date(), precision, raw)
    return None
