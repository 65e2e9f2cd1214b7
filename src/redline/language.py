"""Language identification with py3langid (bundled weights, 5 MB, fast).

Chosen over lingua-language-detector (96 MB, up to 1.3 GB of memory) because whole news
articles are long enough for langid's accuracy; see ../shared/notes/nlp-backbone.md.
"""

from __future__ import annotations

from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Enough text to decide; classifying a 50 MB article whole would only cost time.
SAMPLE_CHARS = 5000


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code and probability; (None, 0.0) when there is no text to judge."""
    sample = text[:SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None, 0.0
    code, prob = _identifier().classify(sample)
    return code, float(prob)
