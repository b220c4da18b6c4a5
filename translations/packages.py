"""Argos `.argosmodel` packages on disk: check them, install them, list what is installed.

A package is a zip archive of one folder holding `metadata.json`, a CTranslate2 model in
`model/` and a tokenizer (`sentencepiece.model` or `bpe.model`). argostranslate's own
`install_from_path` unzips whatever folder name the archive has into a process-wide folder, so
two versions of one pair can end up side by side and which one translates is left to the order
of a directory listing. Here every pair has one folder, `translate-<from>_<to>`, a newer
package replaces an older one, and a broken file is refused with the reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.version import InvalidVersion, Version

log = logging.getLogger(__name__)

SUFFIX = ".argosmodel"


class PackageError(ValueError):
    """A file is not an installable translation package; the message says why."""


@dataclass(frozen=True)
class ModelPair:
    """One installed translation direction and the package that provides it."""

    source: str
    target: str
    version: str
    path: Path
    fingerprint: str
    source_name: str = ""
    target_name: str = ""

    @property
    def name(self) -> str:
        """argospm's name for the package, e.g. `translate-de_en`."""
        return f"translate-{self.source}_{self.target}"

    @property
    def model_version(self) -> str:
        """Identifies the model: a new package (even with the same version) changes it."""
        return f"{self.source}_{self.target}-{self.version}#{self.fingerprint}"


def install_packages(directory: Path, packages_dir: Path) -> list[ModelPair]:
    """Install every `.argosmodel` in `directory` into `packages_dir`.

    Returns the pairs those files provide, whether newly installed or already current. Files
    that are not valid packages are skipped with a warning naming the problem.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(
            f"{directory} is not a folder: put .argosmodel files in a folder and pass its path"
        )
    packages_dir.mkdir(parents=True, exist_ok=True)
    pairs = []
    for archive in sorted(directory.glob(f"*{SUFFIX}")):
        try:
            pairs.append(install_package(archive, packages_dir))
        except PackageError as error:
            log.warning("skipped %s: %s", archive, error)
    return pairs


def install_package(archive: Path, packages_dir: Path) -> ModelPair:
    """Install one package file, replacing an older package for the same pair."""
    top, metadata = read_archive(archive)
    target = packages_dir / f"translate-{metadata['from_code']}_{metadata['to_code']}"
    existing = _installed_for(packages_dir, metadata["from_code"], metadata["to_code"])
    current = _newest(existing)
    fingerprint = _archive_fingerprint(archive, top)
    if current is not None and current.fingerprint == fingerprint:
        log.info("%s is already installed (%s)", current.name, current.version)
        return current
    if current is not None and _newer(current.version, metadata.get("package_version", "")):
        log.warning(
            "kept %s %s: %s has the older version %s",
            current.name,
            current.version,
            archive.name,
            metadata.get("package_version"),
        )
        return current
    with tempfile.TemporaryDirectory(prefix=".installing-", dir=packages_dir) as staging:
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(staging)  # zipfile drops absolute paths and ".." components
        unpacked = Path(staging) / top
        for old in existing:
            shutil.rmtree(old.path)
        unpacked.rename(target)
    pair = _read_pair(target)
    if pair is None:
        raise PackageError(f"{archive}: installed, but its metadata.json cannot be read back")
    log.info("installed %s %s from %s", pair.name, pair.version, archive.name)
    return pair


def installed_pairs(packages_dir: Path) -> list[ModelPair]:
    """Every installed translation package; of two for the same pair, the newer one."""
    by_pair: dict[tuple[str, str], list[ModelPair]] = {}
    for pair in _all_installed(packages_dir):
        by_pair.setdefault((pair.source, pair.target), []).append(pair)
    newest = (_newest(pairs) for _key, pairs in sorted(by_pair.items()))
    return [pair for pair in newest if pair is not None]


def read_archive(archive: Path) -> tuple[str, dict[str, str]]:
    """The archive's top folder and metadata, after checking it holds a usable package."""
    if not zipfile.is_zipfile(archive):
        raise PackageError(f"{archive.name} is not a zip archive, so not an Argos package")
    with zipfile.ZipFile(archive) as zipped:
        names = [name for name in zipped.namelist() if not name.endswith("/")]
        tops = {PurePosixPath(name).parts[0] for name in names}
        if len(tops) != 1:
            raise PackageError(f"{archive.name} should hold exactly one folder, not {sorted(tops)}")
        top = tops.pop()
        try:
            metadata = json.loads(zipped.read(f"{top}/metadata.json"))
        except KeyError as error:
            raise PackageError(f"{archive.name} has no {top}/metadata.json") from error
        except ValueError as error:
            raise PackageError(f"{archive.name}: metadata.json is not valid JSON") from error
        present = set(names)
    if metadata.get("type", "translate") != "translate":
        raise PackageError(f"{archive.name} is a {metadata.get('type')!r} package, not 'translate'")
    missing_keys = [key for key in ("from_code", "to_code") if not metadata.get(key)]
    if missing_keys:
        raise PackageError(f"{archive.name}: metadata.json lacks {', '.join(missing_keys)}")
    if f"{top}/model/model.bin" not in present:
        raise PackageError(f"{archive.name} has no CTranslate2 model ({top}/model/model.bin)")
    if not {f"{top}/sentencepiece.model", f"{top}/bpe.model"} & present:
        raise PackageError(f"{archive.name} has no tokenizer (sentencepiece.model or bpe.model)")
    return top, metadata


def _read_pair(folder: Path) -> ModelPair | None:
    try:
        metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if metadata.get("type", "translate") != "translate" or not (folder / "model").is_dir():
        return None
    if not metadata.get("from_code") or not metadata.get("to_code"):
        return None
    return ModelPair(
        source=metadata["from_code"],
        target=metadata["to_code"],
        version=str(metadata.get("package_version", "")),
        path=folder,
        fingerprint=_folder_fingerprint(folder),
        source_name=metadata.get("from_name", ""),
        target_name=metadata.get("to_name", ""),
    )


def _fingerprint(metadata: bytes, model_size: int) -> str:
    return hashlib.sha256(metadata + b"\0" + str(model_size).encode()).hexdigest()[:12]


def _folder_fingerprint(folder: Path) -> str:
    model = folder / "model" / "model.bin"
    size = model.stat().st_size if model.exists() else 0
    return _fingerprint((folder / "metadata.json").read_bytes(), size)


def _archive_fingerprint(archive: Path, top: str) -> str:
    with zipfile.ZipFile(archive) as zipped:
        metadata = zipped.read(f"{top}/metadata.json")
        size = zipped.getinfo(f"{top}/model/model.bin").file_size
    return _fingerprint(metadata, size)


def _all_installed(packages_dir: Path) -> list[ModelPair]:
    if not packages_dir.is_dir():
        return []
    folders = sorted(p for p in packages_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    return [pair for folder in folders if (pair := _read_pair(folder)) is not None]


def _installed_for(packages_dir: Path, source: str, target: str) -> list[ModelPair]:
    """Installed packages of one pair, whatever their folder is called (argospm adds versions)."""
    return [p for p in _all_installed(packages_dir) if (p.source, p.target) == (source, target)]


def _newest(pairs: list[ModelPair]) -> ModelPair | None:
    newest = None
    for pair in pairs:
        if newest is None or _newer(pair.version, newest.version):
            newest = pair
    return newest


def _newer(version: str, than: str) -> bool:
    try:
        return Version(version) > Version(than)
    except InvalidVersion:
        return version > than
