"""Speed of Lotse's machine translation: sentences per second and latency per answer.

    python -m bench.translate                  # the packages installed in LOTSE_ARGOS_DIR
    python -m bench.translate --models DIR     # .argosmodel files in DIR (installed to a temp dir)
    python -m bench.translate --build-tiny     # tiny random-weight test packages, built here
    python -m bench.translate --base-size      # decoding speed at Transformer-base size

For every route it can take (German answers into each language, newcomers' questions back
into German; direct or through English), it translates the sample texts three ways:

- load: the first call, which loads the CTranslate2 model(s) and the sentence splitter;
- cold: every text translated without the cache (protection, splitting, decoding), `--rounds`
  times over;
- first: every text once more, now with the cache: a miss plus the write of the new row
  (SQLite commits with synchronous=FULL, so this includes a disk flush);
- cached: the same texts answered from the database cache, `--rounds` times over.

Prints a table; asserts nothing. The tiny packages have random weights and d_model 32: their
numbers measure the pipeline around Argos, not the speed of a real model.

`--base-size` measures what the model itself costs on this machine: a random-weight package
with the dimensions of a Transformer-base model (d_model 512, 6+6 layers, FFN 2048, 32k
vocabulary, int8; the order of size of an Argos package), decoding sentences of fixed lengths
with the options argostranslate uses (beam 4). Random weights say nothing about quality.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings
from bot.storage.database import migrate, sync_engine
from translations.cache import TranslationCacheStore
from translations.glossary import load_glossary
from translations.machine import Translator
from translations.sentences import OfflineSentencizer

TINY_PAIRS = [("de", "en"), ("en", "de"), ("en", "ar"), ("ar", "en"), ("en", "uk"), ("uk", "en")]
# (sentences in a batch, tokens a sentence): a question, a sentence, a long one, an answer
BASE_CASES = [(1, 15), (1, 30), (1, 60), (3, 30)]

ANSWERS_DE = [
    "Integrationskurse bieten Sprachschulen und Volkshochschulen an. Den Kurs beantragen Sie "
    "beim BAMF oder über die Ausländerbehörde. Kurse mit Kinderbetreuung finden Sie unter "
    "https://www.bamf.de.",
    "Den Wohnberechtigungsschein beantragen Sie beim Amt für Wohnen, Willy-Brandt-Platz 2, "
    "45964 Gladbeck. Bringen Sie Ihren Ausweis und Ihre Einkommensnachweise mit.",
    "Ab dem ersten Geburtstag hat Ihr Kind ein Recht auf einen Kitaplatz. Melden Sie es früh "
    "beim Jugendamt an: 02043 99-2345.",
    "Wohngeld ist ein Zuschuss zur Miete für Menschen mit geringem Einkommen. Wer Bürgergeld "
    "bekommt, erhält kein Wohngeld, weil das Jobcenter die Miete übernimmt.",
    "Ausländische Berufsabschlüsse können in Deutschland anerkannt werden. Die Beratung zur "
    "Anerkennung ist kostenlos. Schreiben Sie an anerkennung@gladbeck.de.",
    "Die Agentur für Arbeit hilft bei der Suche nach Arbeit und Ausbildung. Vereinbaren Sie "
    "einen Termin unter 0800 4555500.",
    "Integrationslotsen begleiten Sie ehrenamtlich zu Ämtern und helfen bei Formularen. Sie "
    "sprechen viele Sprachen. Fragen Sie im Integrationsbüro nach.",
    "Ein Deutschkurs für Eltern findet montags und mittwochs von 9 bis 12 Uhr statt. Während "
    "des Kurses werden die Kinder betreut.",
    "Die Ausländerbehörde verlängert Ihren Aufenthaltstitel. Buchen Sie rechtzeitig einen "
    "Termin online oder rufen Sie an.",
    "Beim Jobcenter stellen Sie den Antrag auf Bürgergeld. Das Jobcenter Gladbeck ist in der "
    "Hochstr. 5a.\nBringen Sie Ihren Mietvertrag mit.",
]

QUESTIONS = {
    "en": [
        "Where can I find a German course with childcare?",
        "How do I apply for housing benefit?",
    ],
    "ar": ["أين أجد دورة لغة ألمانية مع رعاية للأطفال؟", "كيف أتقدم بطلب للحصول على إعانة السكن؟"],
    "tr": [
        "Çocuk bakımlı Almanca kursunu nerede bulabilirim?",
        "Konut yardımına nasıl başvururum?",
    ],
    "uk": ["Де знайти курс німецької мови з доглядом за дітьми?", "Як подати заяву на житло?"],
    "ru": ["Где найти курс немецкого языка с присмотром за детьми?", "Как получить пособие?"],
    "fa": ["کجا می‌توانم کلاس زبان آلمانی با مراقبت از کودک پیدا کنم؟", "چگونه کمک‌هزینه بگیرم؟"],
    "fr": ["Où trouver un cours d'allemand avec garde d'enfants ?", "Comment demander l'aide ?"],
    "pl": ["Gdzie znajdę kurs niemieckiego z opieką nad dziećmi?", "Jak złożyć wniosek o dodatek?"],
    "ro": [
        "Unde găsesc un curs de germană cu grijă pentru copii?",
        "Cum cer ajutor pentru chirie?",
    ],
}


TINY_LABEL = (
    "TINY TEST PACKAGES (random weights, d_model 32, one layer each side): these numbers "
    "measure Lotse's pipeline around Argos, not real translation speed."
)


@dataclass(frozen=True)
class Row:
    route: str
    texts: int
    sentences: int
    load_ms: float
    cold: list[float]
    first: list[float]
    cached: list[float]


def measure(
    translator: Translator, source: str, target: str, texts: Sequence[str], rounds: int
) -> Row | None:
    route = translator.route(source, target)
    if route is None:
        return None
    started = time.perf_counter()
    if translator.translate("Hallo.", source, target, use_cache=False) is None:
        return None
    load_ms = (time.perf_counter() - started) * 1000
    splitter = OfflineSentencizer(source)
    sentences = sum(len(splitter.split_sentences(line)) for t in texts for line in t.split("\n"))
    cold = _timed(translator, source, target, list(texts) * rounds, use_cache=False)
    first = _timed(translator, source, target, texts, use_cache=True)
    cached = _timed(translator, source, target, list(texts) * rounds, use_cache=True)
    return Row("→".join(route.languages), len(texts), sentences, load_ms, cold, first, cached)


def _timed(
    translator: Translator, source: str, target: str, texts: Sequence[str], *, use_cache: bool
) -> list[float]:
    timings = []
    for text in texts:
        started = time.perf_counter()
        translator.translate(text, source, target, use_cache=use_cache)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def print_table(rows: list[Row], label: str) -> None:
    print(label)
    print(
        f"{os.cpu_count()} CPU cores; latency per text (an answer, or a question to German) "
        "in ms, median / 95th percentile\n"
    )
    header = (
        f"{'route':<12} {'texts':>5} {'sent.':>5} {'load ms':>8} "
        f"{'cold sent/s':>11} {'cold ms':>15} {'first ms':>15} "
        f"{'cached sent/s':>13} {'cached ms':>13}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.route:<12} {row.texts:>5} {row.sentences:>5} {row.load_ms:>8.0f} "
            f"{_rate(row.sentences, row.cold, row.texts):>11.1f} {_spread(row.cold):>15} "
            f"{_spread(row.first):>15} "
            f"{_rate(row.sentences, row.cached, row.texts):>13.0f} {_spread(row.cached):>13}"
        )


def _rate(sentences: int, timings: list[float], texts: int) -> float:
    """Sentences per second; `timings` may cover the texts several times over."""
    rounds = len(timings) / texts
    return sentences * rounds / (sum(timings) / 1000) if timings else 0.0


def _spread(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.1f} / {p95:.1f}"


def run(translator: Translator, languages: Sequence[str], label: str, rounds: int) -> None:
    rows = []
    for target in languages:
        if target != "de":
            rows.append(measure(translator, "de", target, ANSWERS_DE, rounds))
    for source in languages:
        if source != "de" and source in QUESTIONS:
            rows.append(measure(translator, source, "de", QUESTIONS[source], rounds))
    found = [row for row in rows if row is not None]
    if not found:
        print(f"No route to or from German in {translator.packages_dir}: install packages first.")
        return
    print_table(found, label)


def base_size_speed(workdir: Path, rounds: int) -> None:
    """Decoding time of a Transformer-base-sized model, forced to write n tokens a sentence."""
    import ctranslate2

    from tests.translations.tiny_argos import BASE, build_packages

    archive = build_packages(workdir / "base", [("de", "en")], shape=BASE)[0]
    pair = Translator(workdir / "argos").install_from(archive.parent)[0]
    from argostranslate import settings

    model = ctranslate2.Translator(
        str(pair.path / "model"),
        device=settings.device,
        inter_threads=settings.inter_threads,
        intra_threads=settings.intra_threads,
        compute_type=settings.compute_type,
    )
    print(
        "RANDOM-WEIGHT MODEL OF TRANSFORMER-BASE SIZE (d_model 512, 6+6 layers, FFN 2048, "
        f"32k vocabulary, int8): decoding speed only, beam 4, {os.cpu_count()} CPU cores\n"
    )
    print(f"{'sentences x tokens':>18} {'ms a batch':>11} {'ms a sentence':>14} {'tokens/s':>9}")
    for count, length in BASE_CASES:
        batch = [
            [f"<unused{200 + (i * 37 + j) % 20000}>" for j in range(length)] for i in range(count)
        ]
        options = dict(
            beam_size=4,
            num_hypotheses=1,
            length_penalty=0.2,
            replace_unknowns=True,
            min_decoding_length=length,
            max_decoding_length=length,
        )
        model.translate_batch(batch, **options)  # warm-up
        timings = []
        for _round in range(rounds):
            started = time.perf_counter()
            model.translate_batch(batch, **options)
            timings.append((time.perf_counter() - started) * 1000)
        ms = statistics.median(timings)
        print(
            f"{f'{count} x {length}':>18} {ms:>11.0f} {ms / count:>14.0f} "
            f"{count * length / (ms / 1000):>9.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.translate", description=__doc__)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--models", type=Path, help="folder of .argosmodel files to measure")
    source.add_argument("--build-tiny", action="store_true", help="build tiny test packages")
    source.add_argument("--base-size", action="store_true", help="decoding speed at base size")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the texts (default 3)")
    args = parser.parse_args()
    rounds = max(1, args.rounds)
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="lotse-bench-translate-") as work:
        workdir = Path(work)
        if args.base_size:
            base_size_speed(workdir, rounds)
            return
        url = f"sqlite:///{workdir / 'cache.db'}"
        migrate(url)
        cache = TranslationCacheStore(sync_engine(url))
        glossary = load_glossary()
        if args.build_tiny or args.models:
            folder = args.models
            if args.build_tiny:
                from tests.translations.tiny_argos import build_packages

                folder = workdir / "tiny"
                build_packages(folder, TINY_PAIRS)
            translator = Translator(workdir / "argos", cache=cache, glossary=glossary)
            translator.install_from(folder)
        else:
            translator = Translator(settings.argos_path, cache=cache, glossary=glossary)
        label = TINY_LABEL if args.build_tiny else f"Argos packages in {translator.packages_dir}"
        run(translator, settings.languages, label, rounds)


if __name__ == "__main__":
    main()
