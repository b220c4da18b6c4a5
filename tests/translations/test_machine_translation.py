"""Machine translation end to end on tiny real Argos packages, with the network shut.

Every test runs under `loopback_only`: a connection (or a name lookup) to anything but
loopback fails the test, even where a library would swallow the error.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.storage.database import migrate, sync_engine
from knowledge_base.answer import Notice
from knowledge_base.embedder import Embedder
from knowledge_base.loader import open_knowledge_base
from knowledge_base.models import TextStatus
from knowledge_base.service import TextTranslator
from tests.conftest import FIXTURES
from tests.translations.network_guard import NetworkAttempt, loopback_only
from tests.translations.tiny_argos import build_packages
from translations.__main__ import main
from translations.argos_env import OfflineError
from translations.cache import TranslationCacheStore
from translations.glossary import load_glossary
from translations.machine import Translator

ROOT = Path(__file__).resolve().parents[2]
PAIRS = [("de", "en"), ("en", "de"), ("en", "ar"), ("ar", "en"), ("en", "uk")]
GERMAN = (
    "Das Jobcenter ist in der Hochstr. 5a, 45964 Gladbeck. Rufen Sie 02043 99-2345 an "
    "oder schreiben Sie an jobcenter@gladbeck.de. Mehr unter https://www.gladbeck.de/jobcenter."
)


@pytest.fixture(autouse=True)
def no_network() -> Iterator[None]:
    with loopback_only() as attempts:
        yield
    assert not attempts, f"network access attempted: {attempts}"


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("argosmodels")
    with loopback_only() as attempts:
        build_packages(folder, PAIRS)
    assert not attempts
    return folder


@pytest.fixture
def cache(tmp_path: Path) -> TranslationCacheStore:
    url = f"sqlite:///{tmp_path / 'lotse.db'}"
    migrate(url)
    return TranslationCacheStore(sync_engine(url))


@pytest.fixture
def translator(tmp_path: Path, tiny_models: Path, cache: TranslationCacheStore) -> Translator:
    translator = Translator(tmp_path / "argos", cache=cache, glossary=load_glossary())
    translator.install_from(tiny_models)
    return translator


def test_install_puts_every_package_in_the_configured_folder(
    translator: Translator, tmp_path: Path
) -> None:
    pairs = {(p.source, p.target) for p in translator.pairs()}
    assert pairs == set(PAIRS)
    folders = sorted(p.name for p in (tmp_path / "argos" / "packages").iterdir())
    assert folders == sorted(f"translate-{s}_{t}" for s, t in PAIRS)
    for pair in translator.pairs():
        assert pair.version == "1.0" and pair.path.parent == translator.packages_dir


def test_installing_again_changes_nothing_and_a_newer_version_replaces_the_old(
    translator: Translator, tiny_models: Path, tmp_path: Path
) -> None:
    before = {p.name: p.model_version for p in translator.pairs()}
    translator.install_from(tiny_models)
    assert {p.name: p.model_version for p in translator.pairs()} == before

    newer = build_packages(tmp_path / "newer", [("de", "en")], version="1.1", seed=7)[0]
    translator.install_from(newer.parent)
    de_en = translator.route("de", "en")
    assert de_en is not None and de_en.hops[0].version == "1.1"
    assert len(list(translator.packages_dir.glob("translate-de_en*"))) == 1

    translator.install_from(tiny_models)  # the older 1.0 file does not downgrade it
    de_en = translator.route("de", "en")
    assert de_en is not None and de_en.hops[0].version == "1.1"


def test_a_file_that_is_no_package_is_skipped_with_the_reason(
    translator: Translator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "translate-de_fa.argosmodel").write_text("not a zip")
    with caplog.at_level(logging.WARNING):
        assert translator.install_from(folder) == []
    assert "not a zip archive" in caplog.text
    assert not translator.can_translate("de", "fa")


def test_a_direct_pair_translates_and_says_it_was_a_machine(translator: Translator) -> None:
    result = translator.translate("Wo finde ich einen Deutschkurs?", "de", "en")
    assert result is not None
    assert (result.status, result.source, result.target, result.via) == (
        "machine",
        "de",
        "en",
        ("de", "en"),
    )
    assert result.text.strip() and result.original == "Wo finde ich einen Deutschkurs?"
    assert result.model_version.startswith("de_en-1.0#")
    assert not result.cached


def test_without_a_direct_package_it_pivots_through_english(translator: Translator) -> None:
    there = translator.translate("Wo finde ich einen Deutschkurs?", "de", "ar")
    back = translator.translate("أين أجد دورة لغة ألمانية؟", "ar", "de")
    assert there is not None and back is not None
    assert there.via == ("de", "en", "ar") and there.pivoted
    assert back.via == ("ar", "en", "de")
    assert there.model_version.count("+") == 1


def test_a_missing_pair_gives_none_so_the_caller_falls_back(translator: Translator) -> None:
    assert not translator.can_translate("de", "fa")  # neither de→fa nor en→fa
    assert translator.translate("Hallo", "de", "fa") is None
    assert translator.translate("Hallo", "tr", "de") is None  # no tr→en either
    assert translator.translate("Hallo", "de", "de") is None
    assert translator.plain().translate("Hallo", "de", "fa") is None


def test_protected_spans_come_out_verbatim(translator: Translator) -> None:
    result = translator.translate(GERMAN, "de", "ar")
    assert result is not None
    for span in (
        "Hochstr. 5a, 45964 Gladbeck",
        "02043 99-2345",
        "jobcenter@gladbeck.de",
        "https://www.gladbeck.de/jobcenter",
    ):
        assert span in result.text
    assert "Jobcenter (مركز العمل)" in result.text
    # The tiny model's noise loses its placeholders; they were appended, and the result says so.
    assert set(result.lost_spans) <= {
        "Jobcenter",
        "Hochstr. 5a, 45964 Gladbeck",
        "02043 99-2345",
        "jobcenter@gladbeck.de",
        "https://www.gladbeck.de/jobcenter",
    }


def test_placeholders_a_model_keeps_are_put_back_in_place(
    translator: Translator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A model that copies placeholders, but writes them its own way.
    monkeypatch.setattr(
        translator, "_run", lambda route, text: text.replace("[1]", "[ ١ ]").replace("[2]", "［2］")
    )
    result = translator.translate(GERMAN, "de", "en", use_cache=False)
    assert result is not None and result.lost_spans == ()
    assert result.text == GERMAN.replace("Jobcenter ist", "Jobcenter (job centre) ist")


def test_a_text_with_nothing_to_translate_is_not_sent_to_the_model(
    translator: Translator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(translator, "_run", _must_not_run)
    result = translator.translate("https://www.gladbeck.de, 02043 99-2345", "de", "uk")
    assert result is not None and result.text == "https://www.gladbeck.de, 02043 99-2345"


def _must_not_run(route: object, text: str) -> str:
    raise AssertionError(f"the model ran on {text!r}")


def test_the_same_text_is_translated_once(
    translator: Translator, cache: TranslationCacheStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = translator.translate(GERMAN, "de", "uk")
    monkeypatch.setattr(translator, "_run", _must_not_run)
    second = translator.translate(GERMAN, "de", "uk")
    assert first is not None and second is not None
    assert (first.cached, second.cached) == (False, True)
    assert second.text == first.text and second.model_version == first.model_version
    assert cache.count() == 1


def test_a_changed_text_or_model_is_translated_anew(
    translator: Translator, cache: TranslationCacheStore, tmp_path: Path
) -> None:
    ref = "entry:kita-place:de"
    old = translator.translate("Melden Sie Ihr Kind früh an.", "de", "en", ref=ref)
    new = translator.translate("Melden Sie Ihr Kind sehr früh an.", "de", "en", ref=ref)
    assert old is not None and new is not None and not new.cached
    assert cache.count() == 1  # the row for the old text went with the change

    newer = build_packages(tmp_path / "newer", [("de", "en")], version="1.1", seed=3)[0]
    translator.install_from(newer.parent)
    again = translator.translate("Melden Sie Ihr Kind sehr früh an.", "de", "en", ref=ref)
    assert again is not None and not again.cached and again.model_version != new.model_version
    assert cache.invalidate(ref) == 1 and cache.count() == 0


def test_conversation_messages_can_stay_out_of_the_cache(
    translator: Translator, cache: TranslationCacheStore
) -> None:
    assert translator.translate("Ich brauche Hilfe.", "de", "en", use_cache=False) is not None
    assert cache.count() == 0


def test_translations_run_safely_from_worker_threads(translator: Translator) -> None:
    texts = [f"Frage Nummer {n}: Wo ist das Jobcenter?" for n in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda t: translator.translate(t, "de", "ar"), texts))
    assert all(r is not None and "Jobcenter" in r.text for r in results)


def test_the_knowledge_base_answers_in_the_newcomers_language_or_falls_back(
    translator: Translator, tmp_path: Path, tiny_content: Path, embedder: Embedder
) -> None:
    translate: TextTranslator = translator.plain()
    knowledge = open_knowledge_base(
        f"sqlite:///{tmp_path / 'kb.db'}",
        embedder,
        tmp_path / "index",
        content_dir=tiny_content,
        translator=translate,
        calibration_dir=FIXTURES / "calibration",
    )
    ukrainian = knowledge.ask("Як отримати місце в дитячому садку?", "uk")
    assert ukrainian.entry_id == "kita-place"
    assert (ukrainian.language, ukrainian.status) == ("uk", TextStatus.MACHINE)
    assert ukrainian.notice == Notice.MACHINE_TRANSLATED

    turkish = knowledge.ask("Wohnberechtigungsschein nasıl alabilirim?", "tr")
    assert turkish.entry_id == "housing-entitlement"
    assert (turkish.language, turkish.notice) == ("de", Notice.NOT_IN_YOUR_LANGUAGE)


def test_argostranslate_cannot_download_anything(translator: Translator) -> None:
    import argostranslate.package
    import argostranslate.sbd
    import stanza

    with pytest.raises(OfflineError, match="never downloads"):
        argostranslate.package.update_package_index()
    with pytest.raises(OfflineError):
        argostranslate.package.get_available_packages()
    package = argostranslate.package.Package(translator.packages_dir / "translate-de_en")
    with pytest.raises(OfflineError, match="MiniSBD"):
        argostranslate.sbd.MiniSBDSentencizer(package).split_sentences("Eins. Zwei.")
    with pytest.raises(OfflineError, match="Stanza"):
        argostranslate.sbd.StanzaSentencizer(package).split_sentences("Eins. Zwei.")
    with pytest.raises(OfflineError):
        stanza.download("de")


def test_argostranslates_own_api_works_offline_on_the_same_folder(translator: Translator) -> None:
    import argostranslate.translate

    assert argostranslate.translate.translate("Wo ist das Jobcenter?", "de", "ar")


def test_the_guard_catches_a_connection_a_library_would_swallow() -> None:
    with loopback_only() as attempts:
        with pytest.raises(NetworkAttempt):
            urllib.request.urlopen("http://192.0.2.1/index.json", timeout=1)
        with pytest.raises(NetworkAttempt):
            socket.getaddrinfo("example.org", 443)
    assert len(attempts) == 2


def test_cli_installs_lists_and_translates(
    tiny_models: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path)
    assert main(["install", str(tiny_models)], settings) == 0
    assert "translate-en_ar\t1.0" in capsys.readouterr().out
    assert main(["list"], settings) == 0
    listing = capsys.readouterr().out
    assert "ar: de→ar via en, ar→de via en" in listing and "fa: de→fa -, fa→de -" in listing
    assert main(["translate", "--from", "de", "--to", "ar", GERMAN], settings) == 0
    out = capsys.readouterr().out
    assert "jobcenter@gladbeck.de" in out and "[machine, new, via de→en→ar" in out
    assert main(["translate", "--from", "de", "--to", "ar", GERMAN], settings) == 0
    assert "[machine, cached" in capsys.readouterr().out
    assert main(["translate", "--from", "de", "--to", "fa", "Hallo"], settings) == 1
    assert "No model translates de→fa" in capsys.readouterr().err


def test_a_fresh_process_keeps_everything_out_of_home(tiny_models: Path, tmp_path: Path) -> None:
    """Import-time configuration can only be seen in a process that imports argostranslate."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "ARGOS_", "LOTSE_"))}
    env.update(HOME=str(home), LOTSE_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    script = (
        "import sys\n"
        "from tests.translations.network_guard import loopback_only\n"
        "from translations.__main__ import main\n"
        "with loopback_only() as attempts:\n"
        f"    codes = [main(['install', {str(tiny_models)!r}]),\n"
        "             main(['translate', '--from', 'de', '--to', 'uk', 'Wo ist die Kita?'])]\n"
        "sys.exit(1 if attempts or any(codes) else 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert list(home.iterdir()) == []
    assert (tmp_path / "data" / "argos" / "packages" / "translate-en_uk").is_dir()


def test_argospm_runs_inside_lotses_folders(
    tiny_models: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path)
    assert main(["install", str(tiny_models)], settings) == 0
    capfd.readouterr()
    assert main(["argospm", "list"], settings) == 0  # `list` is the one command that stays offline
    listed = capfd.readouterr().out.split()
    assert sorted(listed) == sorted(f"translate-{s}_{t}" for s, t in PAIRS)
