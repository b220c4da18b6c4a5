from __future__ import annotations

import pytest

from translations.language_id import LanguageDetector, choose_language
from translations.languages import SUPPORTED_LANGUAGES, language_named_in


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(SUPPORTED_LANGUAGES)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Wo finde ich einen Deutschkurs für meine Frau?", "de"),
        ("Where can I find a German course for my wife?", "en"),
        ("أين أجد دورة لغة ألمانية مع رعاية للأطفال؟", "ar"),
        ("Almanca kursunu nerede bulabilirim?", "tr"),
        ("Де я можу знайти курс німецької мови?", "uk"),
        ("Где я могу найти курс немецкого языка?", "ru"),
        ("کجا می‌توانم کلاس زبان آلمانی پیدا کنم؟", "fa"),
        ("Où puis-je trouver un cours d'allemand ?", "fr"),
        ("Gdzie mogę znaleźć kurs języka niemieckiego?", "pl"),
        ("Unde găsesc un curs de limba germană?", "ro"),
    ],
)
def test_detects_each_supported_language(detector: LanguageDetector, text: str, language: str):
    assert detector.detect(text).language == language


def test_detection_stays_within_the_configured_languages() -> None:
    only_two = LanguageDetector(["de", "en"])
    assert only_two.detect("Где я могу найти курс немецкого языка?").language in {"de", "en"}


def test_first_message_sets_the_language_and_short_ones_fall_back(detector: LanguageDetector):
    clear = choose_language(
        "Где я могу найти курс немецкого языка?",
        detector,
        current=None,
        current_explicit=False,
        requested=None,
        default="de",
    )
    assert (clear.language, clear.explicit) == ("ru", False)
    unclear = choose_language(
        "ok", detector, current=None, current_explicit=False, requested=None, default="de"
    )
    assert unclear.language == "de"


def test_language_is_sticky_for_short_messages(detector: LanguageDetector) -> None:
    choice = choose_language(
        "danke", detector, current="uk", current_explicit=False, requested=None, default="de"
    )
    assert choice.language == "uk"
    switched = choose_language(
        "Can you tell me where the Jobcenter is located?",
        detector,
        current="uk",
        current_explicit=False,
        requested=None,
        default="de",
    )
    assert switched.language == "en"


def test_an_explicit_choice_wins(detector: LanguageDetector) -> None:
    requested = choose_language(
        "Wo finde ich einen Deutschkurs?",
        detector,
        current="de",
        current_explicit=False,
        requested="ar",
        default="de",
    )
    assert (requested.language, requested.explicit) == ("ar", True)
    kept = choose_language(
        "Where can I find a German course for adults?",
        detector,
        current="ar",
        current_explicit=True,
        requested=None,
        default="de",
    )
    assert (kept.language, kept.explicit) == ("ar", True)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("switch to Turkish", "tr"),
        ("Türkçe konuş", "tr"),
        ("перейди на українську", "uk"),
        ("по-русски пожалуйста", "ru"),
        ("تحدث بالعربية", "ar"),
        ("فارسی صحبت کن", "fa"),
        ("en français s'il vous plaît", "fr"),
        ("po polsku", "pl"),
        ("în română", "ro"),
        ("Deutsch bitte", "de"),
        ("change the language", None),
    ],
)
def test_language_named_in_a_message(text: str, language: str | None) -> None:
    assert language_named_in(text) == language


@pytest.mark.parametrize(
    ("text", "current", "language"),
    [
        ("switch from English to German", "en", "de"),
        ("switch from English to German", None, "de"),
        ("Can you speak Arabic instead of English?", "en", "ar"),
        ("говорите по-русски", "uk", "ru"),
        ("Deutsch bitte", "de", "de"),
    ],
)
def test_of_two_languages_named_the_one_not_spoken_wins(
    text: str, current: str | None, language: str
) -> None:
    assert language_named_in(text, current=current) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("می‌خواهم به زبان مادری‌ام صحبت کنم", None),  # "مادری", mother tongue, ends in "دری"
        ("به دری صحبت کن", "fa"),
        ("وبالعربية لو سمحت", "ar"),
        ("mów po polsku", "pl"),
        ("nie rozumiem polskiego", "pl"),
    ],
)
def test_a_language_name_counts_where_a_word_starts_with_it(
    text: str, language: str | None
) -> None:
    assert language_named_in(text) == language
