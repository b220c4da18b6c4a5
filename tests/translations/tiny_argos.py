"""Tiny but real `.argosmodel` packages, built in seconds, for tests and the benchmark.

The recipe (DESIGN.md §5): a SentencePiece model trained on a few lines, a randomly
initialised MarianMTModel (d_model 32, one layer each side, max_position_embeddings 512)
converted with CTranslate2's TransformersConverter, `<pad>` added to the vocabulary, a
metadata.json and spaCy's blank multilingual pipeline saved as `spacy/` (no sentencizer).
Their output is noise, but install, loading, sentence splitting, tokenising, CTranslate2
decoding and pivoting all run the real code. Nothing is downloaded.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

NAMES = {
    "de": "German",
    "en": "English",
    "ar": "Arabic",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ru": "Russian",
    "fa": "Persian",
    "fr": "French",
    "pl": "Polish",
    "ro": "Romanian",
}

TRAINING_LINES = [
    "Wo finde ich einen Deutschkurs mit Kinderbetreuung?",
    "Das Jobcenter hilft bei der Arbeitssuche [1] und beim Bürgergeld [2].",
    "Where can I find a German course with childcare?",
    "The job centre helps you find work [3] and pays basic income [4].",
    "أين أجد دورة لغة ألمانية مع رعاية للأطفال؟ [5]",
    "Де знайти курс німецької мови з доглядом за дітьми? [6]",
    "Çocuk bakımlı Almanca kursunu nerede bulabilirim? [7]",
    "Call 0201 123456, write to info@example.org or visit https://example.org/a_b [8] [9].",
]
VOCABULARY_SIZE = 160


@dataclass(frozen=True)
class Shape:
    """A model's dimensions; `vocabulary` pads the SentencePiece pieces with unused ones."""

    d_model: int = 32
    layers: int = 1
    heads: int = 2
    ffn: int = 64
    vocabulary: int = 0
    quantization: str | None = None


TINY = Shape()
# The dimensions of a Transformer-base translation model, the order of size of an Argos
# package, with random weights: for measuring speed on a machine, never for quality.
BASE = Shape(d_model=512, layers=6, heads=8, ffn=2048, vocabulary=32000, quantization="int8")


def build_packages(
    directory: Path,
    pairs: Iterable[tuple[str, str]],
    *,
    version: str = "1.0",
    seed: int = 0,
    shape: Shape = TINY,
) -> list[Path]:
    """Write one `translate-<from>_<to>.argosmodel` per pair into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tiny-argos-") as work:
        workdir = Path(work)
        sentencepiece = _train_sentencepiece(workdir)
        return [
            _package(workdir, directory, (source, target), version, sentencepiece, seed + i, shape)
            for i, (source, target) in enumerate(pairs)
        ]


def _train_sentencepiece(workdir: Path) -> Path:
    import sentencepiece as spm

    corpus = workdir / "corpus.txt"
    corpus.write_text("\n".join(TRAINING_LINES * 4), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(workdir / "sp"),
        vocab_size=VOCABULARY_SIZE,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        unk_id=0,
        eos_id=1,
        bos_id=-1,
        pad_id=-1,
        minloglevel=2,
    )
    return workdir / "sp.model"


def _package(
    workdir: Path,
    directory: Path,
    pair: tuple[str, str],
    version: str,
    sentencepiece: Path,
    seed: int,
    shape: Shape,
) -> Path:
    source, target = pair
    name = f"translate-{source}_{target}"
    hf_model = _marian_model(workdir / f"hf-{name}", sentencepiece, seed, shape)
    root = workdir / "package" / name
    if root.exists():
        shutil.rmtree(root)
    _convert(hf_model, root / "model", shape.quantization)
    shutil.copy(sentencepiece, root / "sentencepiece.model")
    metadata = {
        "package_version": version,
        "argos_version": "1.11",
        "from_code": source,
        "from_name": NAMES.get(source, source),
        "to_code": target,
        "to_name": NAMES.get(target, target),
        "type": "translate",
    }
    (root / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    import spacy

    spacy.blank("xx").to_disk(root / "spacy")
    archive = directory / f"{name}.argosmodel"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(root.rglob("*")):
            zipped.write(path, Path(name) / path.relative_to(root))
    return archive


def _marian_model(folder: Path, sentencepiece: Path, seed: int, shape: Shape) -> Path:
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    processor = spm.SentencePieceProcessor(model_file=str(sentencepiece))
    vocabulary = {processor.id_to_piece(i): i for i in range(processor.get_piece_size())}
    for unused in range(len(vocabulary), shape.vocabulary):
        vocabulary[f"<unused{unused}>"] = unused
    pad = vocabulary["<pad>"] = len(vocabulary)  # Marian's tokenizer needs one; CT2 drops it
    folder.mkdir(parents=True)
    (folder / "vocab.json").write_text(json.dumps(vocabulary), encoding="utf-8")
    shutil.copy(sentencepiece, folder / "source.spm")
    shutil.copy(sentencepiece, folder / "target.spm")
    tokenizer_config = {
        "tokenizer_class": "MarianTokenizer",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config), encoding="utf-8")
    config = MarianConfig(
        vocab_size=len(vocabulary),
        decoder_vocab_size=len(vocabulary),
        d_model=shape.d_model,
        encoder_layers=shape.layers,
        decoder_layers=shape.layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn,
        decoder_ffn_dim=shape.ffn,
        max_position_embeddings=512,
        pad_token_id=pad,
        eos_token_id=vocabulary["</s>"],
        decoder_start_token_id=pad,
    )
    torch.manual_seed(seed)
    MarianMTModel(config).save_pretrained(folder)
    return folder


def _convert(hf_model: Path, output: Path, quantization: str | None) -> None:
    from ctranslate2.converters import TransformersConverter

    TransformersConverter(str(hf_model)).convert(str(output), quantization=quantization, force=True)
