"""Fixed texts the app says itself (Rasa's responses live in domain.yml).

`N_` only marks a text for the catalog; `Catalogs.gettext` translates it when it is used.
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message


UNAVAILABLE = N_(
    "The assistant is briefly unavailable. Your message has been saved; "
    "please try again in a few minutes."
)
MACHINE_TRANSLATION_NOTICE = N_("This answer was translated by a machine.")
NOT_IN_YOUR_LANGUAGE_NOTICE = N_(
    "There is no answer in your language yet, so here it is in {language}."
)
SOURCE = N_("Source: {source}")
