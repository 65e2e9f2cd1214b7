"""The article out of an HTML page: trafilatura for the body and the page's metadata.

trafilatura decides on the HTML tree, which the plain-text cleaner never sees; its output
then goes through the furniture patterns of plain text (`clean.text`), which catch credits,
comment prompts and link lines that survive inside the body. What was dropped is kept:
the page's visible lines that are not in the article, with the reason `page-furniture`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import lxml.html
import trafilatura

from redline.clean.text import CleanText, FurnitureRules, clean_text, normalise_line
from redline.model import RemovedLine

# trafilatura logs a warning for each page it gives up on; Redline reports those itself,
# as one-line errors naming the file.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Only the page's own metadata for the date: no guessing from the text or the URL.
DATE_PARAMS = {"original_date": True, "extensive_search": False}


@dataclass
class HtmlArticle:
    clean: CleanText
    title: str | None
    date: str | None  # ISO date from the page's metadata
    url: str | None
    sitename: str | None
    language: str | None


BLOCK_TAGS = (
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "br",
    "section", "article", "header", "footer", "nav", "aside", "blockquote", "figcaption",
    "figure", "form", "button", "dt", "dd", "pre", "title", "label", "option",
)
INVISIBLE_TAGS = ("script", "style", "noscript", "template", "svg", "head")


def visible_lines(html: str) -> list[str]:
    """The page's visible text, one line per block element.

    trafilatura.html2txt flattens the page into one line, which cannot be compared line by
    line with the article, so block boundaries are marked here before taking the text.
    """
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    for el in list(tree.iter(*INVISIBLE_TAGS)):
        el.drop_tree()
    for el in tree.iter(*BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    return [normalise_line(x) for x in tree.text_content().splitlines()]


def extract_body(html: str) -> trafilatura.settings.Document | None:
    return trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # Measured on the 181-page benchmark (bench/extraction.py): precision mode with
        # comments left out scores above trafilatura's defaults.
        favor_precision=True,
        date_extraction_params=DATE_PARAMS,
    )


def extract_html(
    html: str,
    outlet: str | None = None,
    rules: FurnitureRules | None = None,
    outlet_repeated: frozenset[str] | set[str] = frozenset(),
) -> HtmlArticle | None:
    """The article in `html`, or None when the page holds no article text."""
    # Control characters are parse errors in HTML, and lxml refuses them in text it is given.
    html = CONTROL_CHARACTERS.sub(" ", html)
    doc = extract_body(html)
    if doc is None or not (doc.text or "").strip():
        return None
    # trafilatura already judged the page's structure; only the furniture patterns, the
    # outlet's own name and its repeated lines are applied to what it kept.
    clean = clean_text(
        doc.text, outlet=outlet or doc.sitename, rules=rules,
        outlet_repeated=outlet_repeated, shape_rules=False,
    )
    if not clean.text.strip():  # all of it was furniture (a page that is only "(Reuters)")
        return None
    body_lines = {normalise_line(x) for x in doc.text.splitlines()}
    outside = [line for line in dict.fromkeys(visible_lines(html)) if line and line not in body_lines]
    # Page furniture first, numbered below zero (not lines of the extracted body), in page order.
    clean.removed = [
        RemovedLine(i - len(outside), line, "page-furniture") for i, line in enumerate(outside)
    ] + clean.removed
    return HtmlArticle(
        clean=clean,
        title=doc.title or clean.title,
        date=doc.date,
        url=doc.url,
        sitename=doc.sitename,
        language=doc.language,
    )
