"""Argos Translate kept inside Lotse's folder and off the network.

argostranslate configures itself when it is first imported, so the environment has to be
right before that import, and this module is the only place that imports it:

- `argostranslate.settings` computes its data, config and cache folders from $HOME or
  XDG_DATA_HOME / XDG_CONFIG_HOME / XDG_CACHE_HOME and creates them, reads
  `ARGOS_PACKAGES_DIR`, `ARGOS_CHUNK_TYPE`, `ARGOS_DEVICE_TYPE` and friends (from the
  environment, else from `settings.json` in its config folder), and sets
  `KMP_DUPLICATE_LIB_OK`.
- `argostranslate.sbd` imports Stanza and MiniSBD; MiniSBD imports onnxruntime, which writes a
  device id under XDG_CACHE_HOME at import. With `ARGOS_CHUNK_TYPE=SPACY` the same import
  downloads spaCy's `xx_sent_ud_sm` (through pip) unless it finds `<cache>/spacy/senter/model`.
- At run time the default sentence splitter (MiniSBD) downloads an ONNX model per language and
  Stanza downloads `resources.json`; `argospm` and `package.update_package_index` fetch the
  package index.

So `activate(root)` sets the XDG folders to `root/{data,config,cache}` for the import only (and
puts the previous values back), points the package folder at `root/packages`, seeds the spaCy
cache with a blank multilingual pipeline so the import finds it, imports, and then replaces
every function of argostranslate, MiniSBD and Stanza that downloads with one that raises
`OfflineError`. Lotse's own path never calls them (it splits sentences with
`translations.sentences`); the guards make sure nobody else in the process does either.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

_IMPORT_LOCK = threading.Lock()
_XDG = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")


class OfflineError(RuntimeError):
    """Something tried to download a model or an index at run time."""


@dataclass(frozen=True)
class ArgosPaths:
    """Where argostranslate keeps everything, all below one root folder."""

    root: Path

    @property
    def packages(self) -> Path:
        return self.root / "packages"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def stanza(self) -> Path:
        return self.root / "stanza"

    @property
    def spacy_cache(self) -> Path:
        """Where `argostranslate.networking.cache_spacy` looks for its multilingual pipeline."""
        return self.cache / "argos-translate" / "spacy"


def activate(root: Path) -> ArgosPaths:
    """Import argostranslate configured for `root` (once per process) and point it there.

    A later call with another root re-points argostranslate's module-level folders; the
    import-time choices (chunk type, device) stay as the first call made them.
    """
    paths = ArgosPaths(Path(root).resolve())
    with _IMPORT_LOCK:
        for folder in (paths.packages, paths.data, paths.config, paths.cache, paths.stanza):
            folder.mkdir(parents=True, exist_ok=True)
        settings = _import_argostranslate(paths)
        _point_at(settings, paths)
        _install_guards()
    return paths


def _import_argostranslate(paths: ArgosPaths) -> ModuleType:
    if "argostranslate.translate" in sys.modules:
        return sys.modules["argostranslate.settings"]
    os.environ["ARGOS_PACKAGES_DIR"] = str(paths.packages)
    # SPACY is the only chunk type that can work offline; with the seeded cache below it
    # never downloads, and Lotse passes its own splitter to every translation anyway.
    os.environ["ARGOS_CHUNK_TYPE"] = "SPACY"
    os.environ.setdefault("ARGOS_DEVICE_TYPE", "cpu")
    os.environ["STANZA_RESOURCES_DIR"] = str(paths.stanza)
    _seed_spacy_cache(paths.spacy_cache)
    with _xdg_folders(paths):
        import argostranslate.package
        import argostranslate.settings
        import argostranslate.translate  # imports sbd: Stanza, MiniSBD, spaCy
    return argostranslate.settings


@contextmanager
def _xdg_folders(paths: ArgosPaths) -> Iterator[None]:
    """XDG folders for the import only: the rest of the process keeps its own."""
    previous = {name: os.environ.get(name) for name in _XDG}
    os.environ.update(
        XDG_DATA_HOME=str(paths.data),
        XDG_CONFIG_HOME=str(paths.config),
        XDG_CACHE_HOME=str(paths.cache),
    )
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _seed_spacy_cache(folder: Path) -> None:
    """A blank multilingual spaCy pipeline where argostranslate looks before downloading one."""
    marker = folder / "senter" / "model"
    if marker.exists():
        return
    import spacy

    folder.parent.mkdir(parents=True, exist_ok=True)
    spacy.blank("xx").to_disk(folder)
    marker.mkdir(parents=True, exist_ok=True)


def _point_at(settings: ModuleType, paths: ArgosPaths) -> None:
    """argostranslate reads these module attributes at call time, not the environment."""
    import minisbd.models

    argos_data = paths.data / "argos-translate"
    argos_cache = paths.cache / "argos-translate"
    for folder in (argos_data, argos_cache / "downloads"):
        folder.mkdir(parents=True, exist_ok=True)
    settings.data_dir = argos_data
    settings.cache_dir = argos_cache
    settings.downloads_dir = argos_cache / "downloads"
    settings.local_package_index = argos_data / "index.json"
    settings.package_data_dir = paths.packages
    settings.package_dirs = [paths.packages]
    minisbd.models.cache_dir = str(argos_data / "minisbd")

    import argostranslate.translate

    # Translations argostranslate built for an earlier folder must not be reused.
    argostranslate.translate.installed_translates.clear()
    argostranslate.translate.get_installed_languages.cache_clear()


def _refuse(what: str) -> Any:
    def refuse(*_args: object, **_kwargs: object) -> Any:
        raise OfflineError(
            f"{what} would download from the internet, and Lotse never downloads at run time: "
            "put .argosmodel files in the models folder and run "
            "`python -m translations install DIR` (see docs/translation.md)"
        )

    return refuse


def _local_minisbd_model(name: str, progress_callback: object = None) -> str:
    """MiniSBD may use a model file that is already on disk, never fetch one."""
    if os.path.isfile(name):
        return name
    raise OfflineError(
        f"MiniSBD would download its {name!r} model; Lotse splits sentences offline instead"
    )


_GUARDED = False


def _install_guards() -> None:
    global _GUARDED
    if _GUARDED:
        return
    import argostranslate.networking
    import argostranslate.package
    import minisbd.minisbd
    import minisbd.models
    import stanza
    import stanza.pipeline.core
    import stanza.resources.common

    argostranslate.networking.get = _refuse("argostranslate (networking.get)")
    argostranslate.networking.get_from = _refuse("argostranslate (networking.get_from)")
    argostranslate.networking.cache_spacy = _refuse("argostranslate (cache_spacy)")
    argostranslate.package.update_package_index = _refuse("argostranslate's package index")
    argostranslate.package.AvailablePackage.download = _refuse("argostranslate (download)")
    for module in (minisbd.models, minisbd.minisbd):
        module.get_model_file = _local_minisbd_model
        module.download_models = _refuse("MiniSBD (download_models)")
    for module in (stanza.resources.common, stanza.pipeline.core):
        module.download_resources_json = _refuse("Stanza (resources.json)")
        module.download_models = _refuse("Stanza (download_models)")
    stanza.resources.common.download = _refuse("Stanza (download)")
    stanza.download = _refuse("Stanza (download)")
    _GUARDED = True
