"""The releases shipped inside the package: the default knowledge base, built without network or configuration.

`knowledge_base/data/` holds Reactome (2024-09-18, CC BY 4.0) and WikiPathways (2023, CC0) compressed with xz, their
licences, `manifest.json` (release, origin, licence and the sha256 of each uncompressed file) and
`pathway_embeddings.npz`: the MiniLM vectors of the pathway documents built from these two files, in float16, keyed by
`index.content_hash(document, model_id)`. With them the search index is filled by inserting vectors (seconds) instead
of embedding 3,495 documents (~150 s on 2 cores); a document whose hash has no vector (another model, another text)
is embedded as usual. `python -m knowledge_base.embedded` recomputes the file after the releases or the document
format change.
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

from knowledge_base.fileio import replacing
from knowledge_base.locate import MANIFEST
from knowledge_base.store import KnowledgeBaseError

DATA_DIR = Path(__file__).parent / "data"
EMBEDDINGS_FILE = "pathway_embeddings.npz"


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
    """content hash -> float32 vector of the shipped pathway documents ({} when the file is absent)."""
    return _load_vectors(data_dir / EMBEDDINGS_FILE)


@lru_cache(maxsize=2)
def _load_vectors(path: Path) -> Mapping[str, np.ndarray]:
    if not path.is_file():
        return {}
    with np.load(path) as data:
        hashes, vectors = data["hashes"], data["vectors"].astype(np.float32)
    # float16 rounding moves a unit vector's norm by ~1e-3: renormalise, as the embedder's output is.
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return {h.tobytes().hex(): v for h, v in zip(hashes, vectors, strict=True)}


def write_precomputed_vectors(data_dir: Path = DATA_DIR) -> Path:
    """Build the store from the embedded releases, embed every pathway document, save float16 vectors."""
    import tempfile

    from knowledge_base.assemble import assemble
    from knowledge_base.embedding import get_embedder
    from knowledge_base.index import content_hash, pathway_documents
    from knowledge_base.locate import locate_sources
    from knowledge_base.store import PathwayStore, write_store

    embedder = get_embedder()
    with tempfile.TemporaryDirectory() as work:
        contents = assemble(locate_sources(unpack(Path(work) / "source", data_dir))).contents
        store = PathwayStore.open(write_store(Path(work) / "pathways.sqlite", contents))
        try:
            documents = [document for _, document in pathway_documents(store).values()]
        finally:
            store.close()
    # uint8 rows, not numpy's "S32": a fixed-width bytes dtype drops trailing zero bytes (1 digest in 256 has one).
    hashes = np.array([list(bytes.fromhex(content_hash(d, embedder.model_id))) for d in documents], dtype=np.uint8)
    vectors = embedder.encode(documents).astype(np.float16)
    path = data_dir / EMBEDDINGS_FILE
    with replacing(path, ".part.npz") as tmp:  # numpy appends .npz to a name without it
        np.savez_compressed(tmp, hashes=hashes, vectors=vectors, model=np.array(embedder.model_id))
    manifest_path = data_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["embeddings"] = {"file": EMBEDDINGS_FILE, "model": embedder.model_id, "dtype": "float16",
                              "documents": len(documents),
                              "documents_sha256": hashlib.sha256(b"".join(sorted(h.tobytes() for h in hashes))
                                                                 ).hexdigest()}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _load_vectors.cache_clear()
    return path


if __name__ == "__main__":
    print(f"Wrote {write_precomputed_vectors()}")
