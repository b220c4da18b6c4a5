"""Machine translation from the command line: install packages, list them, translate.

    python -m translations install [DIR]     install the .argosmodel files in DIR (offline)
    python -m translations list              installed pairs and where each language is reached
    python -m translations translate --from de --to ar "Text"
    python -m translations argospm ARGS...  argospm itself, kept inside Lotse's folders (online)

Folders come from the same settings as the app (`LOTSE_*`, see bot/settings.py):
`LOTSE_ARGOS_DIR` (default `<data dir>/argos`, i.e. var/argos) holds argostranslate's packages
and data; `LOTSE_ARGOS_MODELS_DIR` (default `<argos dir>/models`) is where a city drops
.argosmodel files. `translate` caches in the app's database (`LOTSE_DATABASE_URL`).

Only `argospm` goes online, and only when asked to (`argospm update`, `argospm install NAME`):
it is argostranslate's package manager, run in its own process with its packages, index and
downloads in the same folders Lotse uses, instead of under $HOME.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings
from translations.languages import SUPPORTED_LANGUAGES

if TYPE_CHECKING:
    from translations.cache import TranslationCacheStore
    from translations.machine import Translator


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stderr)
    settings = settings or Settings()
    if args.command == "argospm":
        return _argospm(settings.argos_path, args.arguments)
    # Imported here: loading argostranslate takes seconds and `--help` should not.
    from translations.glossary import load_glossary
    from translations.machine import Translator

    if args.command == "install":
        translator = Translator(settings.argos_path)
        directory = args.directory or settings.argos_models_path
        pairs = translator.install_from(directory)
        for pair in pairs:
            print(f"{pair.name}\t{pair.version}")
        print(f"{len(pairs)} package(s) from {directory} in {translator.packages_dir}")
        return 0 if pairs else 1
    if args.command == "list":
        return _list(Translator(settings.argos_path), settings.languages)
    cache = None if args.no_cache else _cache(settings)
    translator = Translator(settings.argos_path, cache=cache, glossary=load_glossary())
    translation = translator.translate(args.text, args.source, args.target)
    if translation is None:
        installed = ", ".join(f"{p.source}→{p.target}" for p in translator.pairs()) or "none"
        print(
            f"No model translates {args.source}→{args.target} (installed: {installed}). "
            f"Install {args.source}→{args.target}, or {args.source}→en and en→{args.target}: "
            "see docs/translation.md.",
            file=sys.stderr,
        )
        return 1
    print(translation.text)
    details = f"via {'→'.join(translation.via)}, {translation.model_version}"
    print(f"[{translation.status}, {'cached' if translation.cached else 'new'}, {details}]")
    return 0


def _list(translator: Translator, languages: Sequence[str]) -> int:
    pairs = translator.pairs()
    if not pairs:
        print(f"No translation packages in {translator.packages_dir}: run `install DIR` first.")
        return 1
    for pair in pairs:
        print(f"{pair.name}\t{pair.version}\t{pair.path}")
    print("\nfrom German / to German (direct, via English, or -):")
    for code in languages:
        if code != "de":
            there, back = _how(translator, "de", code), _how(translator, code, "de")
            print(f"  {code}: de→{code} {there}, {code}→de {back}")
    return 0


def _how(translator: Translator, source: str, target: str) -> str:
    route = translator.route(source, target)
    if route is None:
        return "-"
    return "direct" if len(route.hops) == 1 else "via " + route.languages[1]


def _argospm(root: Path, arguments: Sequence[str]) -> int:
    from translations.argos_env import ArgosPaths

    paths = ArgosPaths(root.resolve())
    env = dict(
        os.environ,
        ARGOS_PACKAGES_DIR=str(paths.packages),
        XDG_DATA_HOME=str(paths.data),
        XDG_CONFIG_HOME=str(paths.config),
        XDG_CACHE_HOME=str(paths.cache),
        STANZA_RESOURCES_DIR=str(paths.stanza),
    )
    run_argospm = (
        "import sys; from argostranslate.argospm import main; sys.argv[0] = 'argospm'; main()"
    )
    return subprocess.run([sys.executable, "-c", run_argospm, *arguments], env=env).returncode


def _cache(settings: Settings) -> TranslationCacheStore:
    from bot.storage.database import migrate, sync_engine
    from translations.cache import TranslationCacheStore

    migrate(settings.sqlalchemy_url)
    return TranslationCacheStore(sync_engine(settings.sqlalchemy_url))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m translations", description="Lotse's offline machine translation."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser("install", help="install .argosmodel files from a folder")
    install.add_argument(
        "directory", nargs="?", type=Path, help="folder of .argosmodel files (default: models dir)"
    )
    commands.add_parser("list", help="list installed pairs")
    translate = commands.add_parser("translate", help="translate a text")
    translate.add_argument("--from", dest="source", required=True, choices=SUPPORTED_LANGUAGES)
    translate.add_argument("--to", dest="target", required=True, choices=SUPPORTED_LANGUAGES)
    translate.add_argument("--no-cache", action="store_true", help="neither read nor write cache")
    translate.add_argument("text")
    argospm = commands.add_parser(
        "argospm", help="run argospm (online) with its folders inside Lotse's argos dir"
    )
    argospm.add_argument("arguments", nargs=argparse.REMAINDER, help="e.g. install translate-de_en")
    return parser


if __name__ == "__main__":
    sys.exit(main())
