"""The releases shipped inside the package: the default knowledge base, built without network or configuration.

`knowledge_base/data/` holds Reactome (2024-09-18, CC BY 4.0) and WikiPathways (2023, CC0) compressed with xz, their
licences, `manifest.json` (release, origin, licence and the sha256 of each uncompressed file), and the MiniLM vectors
of what the search index holds for these releases, keyed by `documents.content_hash(text, model_id)`:

- `pathway_embeddings.npz`: the pathway documents, in float16 (search compares a query with them);
- `name_embeddings.npz`: the pathway names, in float32 (the ranker's features compare names; float16 names moved
  the candidates' order in 20 of 300 seeded sets, float32 ones in none, against names embedded at run time).

With them the index is filled by reading vectors (seconds) instead of embedding 3,495 documents (~150 s on 2 cores),
and no analysis of these releases loads the embedding model; a text whose hash has no vector (another model, another
release) is embedded as usual. `python -m gene_r1.knowledge_base.embedded` recomputes both files after the releases
or the document format change.
"""

from __future__ import annotations

import hashlib
import json
import lzma
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from gene_r1.knowledge_base.fileio import replacing
from gene_r1.knowledge_base.locate import MANIFEST
from gene_r1.knowledge_base.store import KnowledgeBaseError

DATA_DIR = Path(__file__).parent / "data"
EMBEDDINGS_FILE = "pathway_embeddings.npz"
NAME_EMBEDDINGS_FILE = "name_embeddings.npz"


@dataclass(frozen=True)
class EmbeddedRelease:
    source: str
    file: str  # compressed file under DATA_DIR
    name: str  # the release file's own name, once unpacked
    release: str
    label: str  # e.g. "Reactome 2024-09-18"
    origin: str
    licence: str
    sha256: str  # of the uncompressed file


def embedded_releases(data_dir: Path = DATA_DIR) -> list[EmbeddedRelease]:
    try:
        manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
        return [EmbeddedRelease(**{k: r[k] for k in EmbeddedRelease.__dataclass_fields__})
                for r in manifest["releases"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KnowledgeBaseError(f"The embedded releases in {data_dir} are unreadable ({error}); reinstall gene-r1."
                                 ) from error


def describe(data_dir: Path = DATA_DIR) -> str:
    """'Reactome 2024-09-18 + WikiPathways 2023'."""
    return " + ".join(r.label for r in embedded_releases(data_dir))


def unpack(dest: Path, data_dir: Path = DATA_DIR) -> Path:
    """Decompress the embedded releases into `dest` with a RELEASES.json manifest (the layout `locate` reads)."""
    dest.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for release in embedded_releases(data_dir):
        content = lzma.decompress((data_dir / release.file).read_bytes())
        if hashlib.sha256(content).hexdigest() != release.sha256:
            raise KnowledgeBaseError(f"The embedded file {data_dir / release.file} does not match its recorded "
                                     "checksum; reinstall gene-r1.")
        (dest / release.name).write_bytes(content)
        manifest[release.name] = {"release": release.release, "origin": release.origin, "retrieved_at": ""}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    return dest


def precomputed_vectors(data_dir: Path = DATA_DIR) -> Mapping[str, np.ndarray]:
    """content hash -> float32 vector of the shipped pathway documents and names ({} when the files are absent)."""
    return {**_load_vectors(data_dir / EMBEDDINGS_FILE), **_load_vectors(data_dir / NAME_EMBEDDINGS_FILE)}


@lru_cache(maxsize=4)
def _load_vectors(path: Path) -> Mapping[str, np.ndarray]:
    if not path.is_file():
        return {}
    with np.load(path) as data:
        hashes, stored = data["hashes"], data["vectors"]
    vectors = stored.astype(np.float32)
    if stored.dtype == np.float16:  # its rounding moves a unit vector's norm by ~1e-3: renormalise, as the embedder
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return {h.tobytes().hex(): v for h, v in zip(hashes, vectors, strict=True)}


def write_precomputed_vectors(data_dir: Path = DATA_DIR, kinds: tuple[str, ...] = ("documents", "names")) -> list[Path]:
    """Build the store from the embedded releases, embed every pathway document and name, save the vectors (of the
    `kinds` asked for)."""
    import tempfile

    from gene_r1.knowledge_base.assemble import assemble
    from gene_r1.knowledge_base.documents import content_hash, pathway_documents
    from gene_r1.knowledge_base.embedding import get_embedder
    from gene_r1.knowledge_base.locate import locate_sources
    from gene_r1.knowledge_base.store import PathwayStore, write_store

    embedder = get_embedder()
    with tempfile.TemporaryDirectory() as work:
        contents = assemble(locate_sources(unpack(Path(work) / "source", data_dir))).contents
        store = PathwayStore.open(write_store(Path(work) / "pathways.sqlite", contents))
        try:
            documents = [document for _, document in pathway_documents(store).values()]
            names = sorted({pathway.name for pathway, _ in pathway_documents(store).values()})
        finally:
            store.close()
    manifest_path = data_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    written = []
    for kind, key, file, texts, dtype in (("documents", "embeddings", EMBEDDINGS_FILE, documents, np.float16),
                                          ("names", "name_embeddings", NAME_EMBEDDINGS_FILE, names, np.float32)):
        if kind not in kinds:
            continue
        # uint8 rows, not numpy's "S32": a fixed-width bytes dtype drops trailing zero bytes (1 digest in 256).
        hashes = np.array([list(bytes.fromhex(content_hash(t, embedder.model_id))) for t in texts], dtype=np.uint8)
        path = data_dir / file
        with replacing(path, ".part.npz") as tmp:  # numpy appends .npz to a name without it
            np.savez_compressed(tmp, hashes=hashes, vectors=embedder.encode(texts).astype(dtype),
                                model=np.array(embedder.model_id))
        manifest[key] = {"file": file, "model": embedder.model_id, "dtype": np.dtype(dtype).name,
                         kind: len(texts),
                         f"{kind}_sha256": hashlib.sha256(b"".join(sorted(h.tobytes() for h in hashes))).hexdigest()}
        written.append(path)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _load_vectors.cache_clear()
    return written


if __name__ == "__main__":
    print("Wrote", ", ".join(map(str, write_precomputed_vectors())))
