"""Machine translation with Argos Translate, offline, for every pair Lotse can reach.

A newcomer whose language has no curated or reviewed text gets a machine translation; a
volunteer reads a newcomer's message in German and answers in German. Both go through
`Translator.translate`. Where no package for a pair is installed, the translation pivots
through English when both halves are installed (argostranslate's `CompositeTranslation`);
otherwise `translate` returns None and the caller shows the curated German or English text
with a notice. Nothing raises because a model is missing or broken.

argostranslate's own `translate()` keeps one process-wide set of packages and chains through
whichever intermediate language it finds first, over any number of hops. `Translator` builds
the same argostranslate objects from its own packages folder instead: a direct package if there
is one, else exactly one hop through the pivot language, so the route (and the model versions
in the cache key) are known.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translations.argos_env import ArgosPaths, activate
from translations.cache import CacheKey, TranslationCacheStore
from translations.glossary import Glossary
from translations.packages import ModelPair, install_packages, installed_pairs
from translations.protection import protect
from translations.sentences import OfflineSentencizer

log = logging.getLogger(__name__)

MACHINE = "machine"
# Texts people wrote or checked; a machine translation never replaces them.
KEPT_STATUSES = frozenset({"curated", "reviewed"})


@dataclass(frozen=True)
class Translation:
    """A machine translation and what the UI needs to say so: status, original, model."""

    text: str
    source: str
    target: str
    original: str
    model_version: str
    via: tuple[str, ...]
    cached: bool = False
    lost_spans: tuple[str, ...] = ()
    status: str = MACHINE

    @property
    def pivoted(self) -> bool:
        return len(self.via) > 2


@dataclass(frozen=True)
class Route:
    """The packages a translation goes through: one, or two via the pivot language."""

    hops: tuple[ModelPair, ...]

    @property
    def languages(self) -> tuple[str, ...]:
        return (self.hops[0].source, *(hop.target for hop in self.hops))

    @property
    def model_version(self) -> str:
        return "+".join(hop.model_version for hop in self.hops)


class Translator:
    """Argos Translate packages in `argos_dir/packages`, with protection and a cache."""

    def __init__(
        self,
        argos_dir: Path,
        *,
        cache: TranslationCacheStore | None = None,
        glossary: Glossary | None = None,
        pivot: str = "en",
    ) -> None:
        self.paths: ArgosPaths = activate(argos_dir)
        self.cache = cache
        self.glossary = glossary
        self.pivot = pivot
        self._lock = threading.RLock()  # the installed pairs and loaded models
        self._run_lock = threading.Lock()  # one translation at a time: 2 cores, bounded memory
        self._pairs: dict[tuple[str, str], ModelPair] | None = None
        self._engines: dict[str, Any] = {}

    @property
    def packages_dir(self) -> Path:
        return self.paths.packages

    def install_from(self, directory: Path) -> list[ModelPair]:
        """Install the `.argosmodel` files in `directory` (offline); returns the pairs they hold."""
        with self._lock:
            pairs = install_packages(Path(directory), self.packages_dir)
            self.reload()
        return pairs

    def reload(self) -> None:
        """Forget loaded models, e.g. after packages were installed by another process."""
        with self._lock:
            self._pairs = None
            self._engines.clear()

    def pairs(self) -> list[ModelPair]:
        """The installed packages, one per direction."""
        return list(self._installed().values())

    def route(self, source: str, target: str) -> Route | None:
        installed = self._installed()
        if source == target:
            return None
        if (source, target) in installed:
            return Route((installed[source, target],))
        first, second = installed.get((source, self.pivot)), installed.get((self.pivot, target))
        if first is not None and second is not None:
            return Route((first, second))
        return None

    def can_translate(self, source: str, target: str) -> bool:
        return self.route(source, target) is not None

    def translate(
        self,
        text: str,
        source: str,
        target: str,
        *,
        ref: str | None = None,
        use_cache: bool = True,
    ) -> Translation | None:
        """Translate `text`, or None when no installed model can (the caller falls back).

        `ref` names what the text belongs to (e.g. "entry:kita-place:de") so the cache can
        forget the translation of its previous wording; `use_cache=False` for texts that must
        not outlive their conversation.
        """
        route = self.route(source, target)
        if route is None or not text.strip():
            return None
        protected = protect(text, self.glossary)
        key = CacheKey(protected.text, source, target, route.model_version)
        cache = self.cache if use_cache else None
        raw = _cached(cache, key)
        cached = raw is not None
        if raw is None and not protected.needs_translation:
            raw = protected.text  # only URLs, numbers and names: nothing for a model to do
        elif raw is None:
            raw = self._run(route, protected.text)
            if raw is None:
                return None
            if cache is not None:
                _store(cache, key, raw, ref)
        restored = protected.restore(raw, target)
        return Translation(
            text=restored.text,
            source=source,
            target=target,
            original=text,
            model_version=route.model_version,
            via=route.languages,
            cached=cached,
            lost_spans=tuple(span.text for span in restored.lost),
        )

    def plain(self) -> PlainTextTranslator:
        """This translator as the knowledge base's `TextTranslator` (text only)."""
        return PlainTextTranslator(self)

    def _installed(self) -> dict[tuple[str, str], ModelPair]:
        pairs = self._pairs
        if pairs is None:
            with self._lock:
                found = installed_pairs(self.packages_dir)
                pairs = self._pairs = {(p.source, p.target): p for p in found}
        return pairs

    def _run(self, route: Route, text: str) -> str | None:
        try:
            chain = [self._engine(hop) for hop in route.hops]
            translation = chain[0]
            if len(chain) > 1:
                from argostranslate.translate import CompositeTranslation

                translation = CompositeTranslation(chain[0], chain[1])
            with self._run_lock:
                output = translation.translate(text)
        except Exception:
            # A broken package must not break an answer: the caller falls back to the original.
            log.exception("machine translation %s failed", route.model_version)
            return None
        return output if output and output.strip() else None

    def _engine(self, pair: ModelPair) -> Any:
        with self._lock:
            if pair.model_version not in self._engines:
                self._engines[pair.model_version] = _package_translation(pair)
            return self._engines[pair.model_version]


class PlainTextTranslator:
    """Adapter for `knowledge_base.service.TextTranslator`: the translated text, or None."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator

    def translate(self, text: str, source: str, target: str) -> str | None:
        translation = self.translator.translate(text, source, target)
        return translation.text if translation is not None else None


def open_translator(
    argos_dir: Path,
    *,
    models_dir: Path | None = None,
    cache: TranslationCacheStore | None = None,
    glossary: Glossary | None = None,
) -> Translator:
    """A translator with whatever new `.argosmodel` files `models_dir` holds installed first."""
    translator = Translator(argos_dir, cache=cache, glossary=glossary)
    if models_dir is not None and Path(models_dir).is_dir():
        translator.install_from(models_dir)
    return translator


def machine_translatable(statuses: Mapping[str, str], languages: Iterable[str]) -> list[str]:
    """Of `languages`, those that may receive machine text: no text yet, or only machine text.

    `statuses` maps a language to the status of the text it has (curated, machine, reviewed).
    """
    return [code for code in languages if str(statuses.get(code, MACHINE)) not in KEPT_STATUSES]


def _package_translation(pair: ModelPair) -> Any:
    """argostranslate's PackageTranslation for one package, with an offline sentence splitter.

    PackageTranslation.__init__ picks its splitter from the process-wide ARGOS_CHUNK_TYPE and
    the default ones download models, so the object is built without it. Its CTranslate2
    model is loaded here, the way argostranslate would load it, behind `_BoundedDecoding`.
    """
    import ctranslate2
    from argostranslate import settings
    from argostranslate.package import Package
    from argostranslate.translate import Language, PackageTranslation

    translation = PackageTranslation.__new__(PackageTranslation)
    translation.from_lang = Language(pair.source, pair.source_name or pair.source)
    translation.to_lang = Language(pair.target, pair.target_name or pair.target)
    translation.pkg = Package(pair.path)
    translation.sentencizer = OfflineSentencizer(pair.source, pair.path / "spacy")
    model = ctranslate2.Translator(
        str(pair.path / "model"),
        device=settings.device,
        inter_threads=settings.inter_threads,
        intra_threads=settings.intra_threads,
        compute_type=settings.compute_type,
    )
    translation.translator = _BoundedDecoding(model)
    return translation


class _BoundedDecoding:
    """Caps each output sentence at about twice its input's length.

    argostranslate lets CTranslate2 decode up to 256 tokens a sentence. A model stuck
    repeating itself (a known failure of neural translation) then writes 256 tokens of
    repetition, slowly, and in a pivot the second model receives more tokens than it has
    positions for. A real translation is rarely twice as long as its source.
    """

    def __init__(self, model: Any) -> None:
        self.model = model

    def translate_batch(self, batch: list[list[str]], **options: Any) -> Any:
        longest = max((len(tokens) for tokens in batch), default=0)
        options.setdefault("max_decoding_length", min(256, 2 * longest + 10))
        return self.model.translate_batch(batch, **options)


def _cached(cache: TranslationCacheStore | None, key: CacheKey) -> str | None:
    if cache is None:
        return None
    try:
        return cache.get(key)
    except Exception:
        log.warning("translation cache unavailable; translating without it", exc_info=True)
        return None


def _store(cache: TranslationCacheStore, key: CacheKey, raw: str, ref: str | None) -> None:
    try:
        cache.put(key, raw, ref=ref)
    except Exception:
        log.warning("could not cache a translation", exc_info=True)
