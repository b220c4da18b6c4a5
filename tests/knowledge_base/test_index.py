from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge_base.coverage import LineTokens
from knowledge_base.embedder import TokenVectors
from knowledge_base.index import LINE_TOKENS, IndexedText, IndexFolder, Manifest, VectorIndex


def _unit(vector: list[float]) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    return array / np.linalg.norm(array)


def _item(key: str, **fields: object) -> IndexedText:
    return IndexedText(key=key, kind="question", language="de", text=key, **fields)


def test_search_ranks_by_inner_product_and_remove_forgets() -> None:
    index = VectorIndex(3)
    index.add(
        [_item("x", entry_id="a"), _item("y", entry_id="b"), _item("xy", entry_id="c")],
        np.stack([_unit([1, 0, 0]), _unit([0, 1, 0]), _unit([1, 1, 0])]),
    )
    hits = index.search(_unit([1, 0.1, 0])[None, :], k=3)[0]
    assert [hit.item.key for hit in hits] == ["x", "xy", "y"]
    assert hits[0].score > hits[1].score > hits[2].score

    index.remove(["x"])
    assert [hit.item.key for hit in index.search(_unit([1, 0, 0])[None, :], k=3)[0]] == [
        "xy",
        "y",
    ]
    assert len(index) == 2


def test_adding_a_key_again_replaces_its_vector() -> None:
    index = VectorIndex(2)
    index.add([_item("k")], _unit([1, 0])[None, :])
    index.add([_item("k")], _unit([0, 1])[None, :])
    assert len(index) == 1
    np.testing.assert_allclose(index.vectors(["k"])[0], _unit([0, 1]), atol=1e-6)


def test_folder_round_trip_keeps_items_and_vectors(tmp_path: Path) -> None:
    index = VectorIndex(2)
    index.add([_item("a", page_id=7, group="g", start=3, end=4)], _unit([1, 1])[None, :])
    tokens = LineTokens()
    tokens.add(["a"], [TokenVectors(_unit([1, 1])[None, :], np.array([5]), np.array([True]))])
    folder = IndexFolder(tmp_path / "index")
    manifest = Manifest(model="m", dimension=2, content_hash="h", counts={"t": 1})
    folder.save(manifest, {"t": index}, tokens)
    folder.save(Manifest(model="m", dimension=2, content_hash="h2"), {"t": index}, tokens)

    loaded = folder.load(["t"])
    assert loaded is not None
    manifest, indexes = loaded
    assert manifest.content_hash == "h2"
    item = next(iter(indexes["t"].items()))
    assert (item.page_id, item.group, item.start, item.end) == (7, "g", 3, 4)
    np.testing.assert_allclose(indexes["t"].vectors(["a"])[0], _unit([1, 1]), atol=1e-6)
    assert LineTokens.load(tmp_path / "index" / LINE_TOKENS).keys() == {"a"}
    assert not (tmp_path / "index.new").exists() and not (tmp_path / "index.old").exists()


def test_missing_or_foreign_folder_is_not_trusted(tmp_path: Path) -> None:
    assert IndexFolder(tmp_path / "nothing").load(["t"]) is None
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text('{"format_version": 0}')
    assert IndexFolder(tmp_path / "old").load(["t"]) is None
