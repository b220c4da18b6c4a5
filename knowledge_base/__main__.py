"""`python -m knowledge_base …`: import content, bring the index up to date, try questions."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.settings import Settings
from bot.storage.database import migrate, sync_engine
from knowledge_base.embedder import shared_embedder
from knowledge_base.importers import integreat, omos
from knowledge_base.importers.yaml_content import ContentError, import_yaml
from knowledge_base.loader import open_knowledge_base
from knowledge_base.store import DocumentStore

PAGE_IMPORTERS = {
    "import-integreat": integreat.import_integreat,
    "import-omos": omos.import_omos,
}


def _store(settings: Settings) -> DocumentStore:
    migrate(settings.sqlalchemy_url)
    return DocumentStore(sync_engine(settings.sqlalchemy_url))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge_base", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    sync = commands.add_parser("sync", help="import the YAML content and update the index")
    sync.add_argument("--content", type=Path, help="YAML folder (default: LOTSE_CONTENT_DIR)")
    yaml_cmd = commands.add_parser("import-yaml", help="import FAQ entries from YAML files")
    yaml_cmd.add_argument("folder", type=Path)
    for name, help_text in (
        ("import-integreat", "import Integreat API page exports (JSON)"),
        ("import-omos", "import OMoS-QA pages files (JSONL)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("files", type=Path, nargs="+")
    ask = commands.add_parser("ask", help="answer a question as Lotse would")
    ask.add_argument("question")
    ask.add_argument("--language", default="de")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    try:
        if args.command == "import-yaml":
            print(import_yaml(_store(settings), args.folder))
        elif args.command in PAGE_IMPORTERS:
            store = _store(settings)
            for file in args.files:
                print(f"{file}: {PAGE_IMPORTERS[args.command](store, file)}")
        content_dir = (args.content or settings.content_dir) if args.command == "sync" else None
        knowledge = open_knowledge_base(
            settings.sqlalchemy_url,
            shared_embedder(settings.embedding_model),
            settings.index_path,
            content_dir=content_dir,
            fallback_languages=settings.fallback_languages,
            calibration_dir=settings.calibration_dir,
            progress=True,
        )
        manifest = knowledge.index.manifest
        print(f"index: {manifest.counts}, calibration: {manifest.calibration}")
        if args.command == "ask":
            print(knowledge.ask(args.question, args.language))
    except (ContentError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
