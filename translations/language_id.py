"""Which language a newcomer writes in: py3langid, restricted to the languages Lotse speaks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from py3langid.langid import MODEL_FILE, LanguageIdentifier


@dataclass(frozen=True)
class Detection:
    language: str
    probability: float


class LanguageDetector:
    """Short chat messages are often ambiguous ("ok", "hallo"): callers get the probability too."""

    def __init__(self, languages: Iterable[str]) -> None:
        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._identifier.set_languages(list(languages))

    def detect(self, text: str) -> Detection:
        language, probability = self._identifier.classify(text)
        return Detection(language=str(language), probability=float(probability))


@dataclass(frozen=True)
class LanguageChoice:
    language: str
    explicit: bool


def choose_language(
    text: str,
    detector: LanguageDetector,
    *,
    current: str | None,
    current_explicit: bool,
    requested: str | None,
    default: str,
    min_probability_new: float = 0.5,
    min_probability_switch: float = 0.95,
    min_words_switch: int = 3,
) -> LanguageChoice:
    """Sticky per conversation: an explicit choice wins; a switch needs a long, clear message."""
    if requested:
        return LanguageChoice(requested, explicit=True)
    if current and current_explicit:
        return LanguageChoice(current, explicit=True)
    detection = detector.detect(text)
    if current is None:
        chosen = detection.language if detection.probability >= min_probability_new else default
        return LanguageChoice(chosen, explicit=False)
    if (
        detection.language != current
        and detection.probability >= min_probability_switch
        and len(text.split()) >= min_words_switch
    ):
        return LanguageChoice(detection.language, explicit=False)
    return LanguageChoice(current, explicit=False)
