"""The languages Lotse speaks. Adding one is a line here and a catalog in translations/locale."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError


@dataclass(frozen=True)
class Language:
    code: str
    endonym: str
    english_name: str
    rtl: bool = False


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("de", "Deutsch", "German"),
        Language("en", "English", "English"),
        Language("ar", "العربية", "Arabic", rtl=True),
        Language("tr", "Türkçe", "Turkish"),
        Language("uk", "Українська", "Ukrainian"),
        Language("ru", "Русский", "Russian"),
        Language("fa", "فارسی", "Persian", rtl=True),
        Language("fr", "Français", "French"),
        Language("pl", "Polski", "Polish"),
        Language("ro", "Română", "Romanian"),
    )
}

SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(LANGUAGES)


def endonym(code: str) -> str:
    return LANGUAGES[code].endonym if code in LANGUAGES else code


@lru_cache(maxsize=256)
def language_name(code: str, in_language: str) -> str:
    """What speakers of `in_language` call the language `code` ("allemand" in French, not
    "Deutsch"), from the CLDR data Babel ships; its endonym where CLDR has no name."""
    try:
        name = Locale.parse(in_language).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return name or endonym(code)


# How newcomers name each language, in the languages Lotse speaks ("switch to Turkish",
# "Türkçe konuş", "по-русски"): lets a language change work even where NLU found no entity.
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "de": (
        "deutsch",
        "german",
        "الألمانية",
        "ألماني",
        "almanca",
        "німецька",
        "німецькою",
        "німецьку",
        "немецкий",
        "по-немецки",
        "آلمانی",
        "allemand",
        "niemiecki",
        "po niemiecku",
        "germană",
        "germana",
        "بالالمانية",
        "الماني",
        "німецької",
        "немецкого",
        "немецком",
        "niemiecku",
        "nemțește",
    ),
    "en": (
        "englisch",
        "english",
        "الإنجليزية",
        "الانجليزية",
        "انجليزي",
        "ingilizce",
        "англійська",
        "англійською",
        "англійську",
        "английский",
        "по-английски",
        "انگلیسی",
        "anglais",
        "angielski",
        "po angielsku",
        "engleză",
        "engleza",
        "للإنجليزية",
        "بالإنجليزي",
        "английском",
        "angielsku",
        "englezește",
    ),
    "ar": (
        "arabisch",
        "arabic",
        "العربية",
        "عربي",
        "arapça",
        "arapca",
        "арабська",
        "арабською",
        "арабську",
        "арабский",
        "по-арабски",
        "عربی",
        "arabe",
        "arabski",
        "po arabsku",
        "arabă",
        "araba",
        "арабском",
        "arabsku",
    ),
    "tr": (
        "türkisch",
        "turkish",
        "التركية",
        "تركي",
        "türkçe",
        "turkce",
        "турецька",
        "турецькою",
        "турецьку",
        "турецкий",
        "по-турецки",
        "ترکی",
        "turc",
        "turecki",
        "po turecku",
        "turcă",
        "turca",
        "турецком",
        "turecku",
    ),
    "uk": (
        "ukrainisch",
        "ukrainian",
        "الأوكرانية",
        "ukraynaca",
        "українська",
        "українською",
        "українську",
        "украинский",
        "по-украински",
        "اوکراینی",
        "ukrainien",
        "ukraiński",
        "po ukraińsku",
        "ucraineană",
        "ucraineana",
        "الاوكرانية",
        "української",
        "украинском",
        "ukraińsku",
    ),
    "ru": (
        "russisch",
        "russian",
        "الروسية",
        "rusça",
        "rusca",
        "російська",
        "російською",
        "російську",
        "русский",
        "по-русски",
        "روسی",
        "russe",
        "rosyjski",
        "po rosyjsku",
        "rusă",
        "rusa",
        "بالروسي",
        "русском",
        "rosyjsku",
    ),
    "fa": (
        "persisch",
        "farsi",
        "persian",
        "الفارسية",
        "فارسي",
        "farsça",
        "перська",
        "перську",
        "фарсі",
        "персидский",
        "фарси",
        "فارسی",
        "persan",
        "perski",
        "persană",
        "persana",
        "перською",
        "персидском",
        "по-персидски",
        "دری",
        "persku",
    ),
    "fr": (
        "französisch",
        "french",
        "الفرنسية",
        "fransızca",
        "французька",
        "французькою",
        "французьку",
        "французский",
        "по-французски",
        "فرانسوی",
        "français",
        "francais",
        "francuski",
        "po francusku",
        "franceză",
        "franceza",
        "بالفرنسي",
        "французском",
        "francusku",
    ),
    "pl": (
        "polnisch",
        "polish",
        "البولندية",
        "lehçe",
        "польська",
        "польською",
        "польську",
        "польский",
        "по-польски",
        "لهستانی",
        "polonais",
        "polski",
        "po polsku",
        "poloneză",
        "poloneza",
        "польском",
        "polsku",
    ),
    "ro": (
        "rumänisch",
        "romanian",
        "الرومانية",
        "rumence",
        "румунська",
        "румунською",
        "румунську",
        "румынский",
        "по-румынски",
        "رومانیایی",
        "roumain",
        "rumuński",
        "po rumuńsku",
        "română",
        "romana",
        "româna",
        "румынском",
        "rumuńsku",
        "românește",
        "romaneste",
    ),
}


def language_named_in(
    text: str, supported: tuple[str, ...] = SUPPORTED_LANGUAGES, *, current: str | None = None
) -> str | None:
    """The language a message asks for. A name counts where a word starts with it (a short
    one only as a whole word: "دری" is also the end of "مادری", mother tongue). Where a
    message names two languages ("from English to German"), one other than the `current`
    language wins, and of those the one named last."""
    folded = _folded(text)
    found = [
        (match.start(), match.end(), code)
        for code, pattern in _NAME_PATTERNS.items()
        if code in supported
        for match in pattern.finditer(folded)
    ]
    named = [
        (start, code)
        for start, end, code in found
        if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in found)
    ]
    others = [item for item in named if item[1] != current]
    return max(others or named)[1] if named else None


def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Arabic script writes the article "ال", the prepositions "ب" (in), "ل" (to) and "ك"
    (as) and the conjunctions "و" and "ف" onto the next word: "بالعربي" is "in Arabic"."""
    alternatives = []
    for name in sorted({_folded(name) for name in names}, key=len, reverse=True):
        clitics = "[وف]?[بلك]?(?:ال)?" if _ARABIC_SCRIPT.match(name) else ""
        ending = "" if len(name) >= _MIN_PREFIX_NAME else r"(?!\w)"
        alternatives.append(clitics + re.escape(name) + ending)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")")


def _folded(text: str) -> str:
    """Casefolded without combining marks: "İngilizce" casefolds to "i̇ngilizce", with a dot
    that "ingilizce" lacks, and "romana" is how many type "română"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
# Names this long or longer also match as the start of a longer word ("polski" in
# "polskiego"); shorter ones only as a word of their own.
_MIN_PREFIX_NAME = 5
_NAME_PATTERNS = {
    code: _name_pattern((*names, LANGUAGES[code].endonym)) for code, names in LANGUAGE_NAMES.items()
}
