"""Download the current official releases into `$GENE_R1_HOME/downloads/` (only when a build asks for it).

The directory ends up in the layout `knowledge_base.locate` reads, plus a `RELEASES.json` manifest (file -> release,
origin URL, retrieval time). Pathway texts come from the services: Reactome summations through ContentService (in
batches of 20 ids), WikiPathways descriptions from its JSON listing. A failed release file fails the download (the
built KB is untouched); failed descriptions are a warning (the build then describes pathways from their structure).
Base URLs are arguments (`SourceUrls`), so that tests point them at a local server.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gene_r1.knowledge_base.fetch import DOWNLOAD_POLICY, HttpPolicy, download_file, get_json, get_text
from gene_r1.knowledge_base.fileio import write_atomic
from gene_r1.knowledge_base.locate import MANIFEST
from gene_r1.knowledge_base.sources import parse_reactome_gmt
from gene_r1.knowledge_base.store import KnowledgeBaseError

REACTOME_BATCH = 20  # ContentService's /data/query/ids answers at most 20 ids per request
_WIKIPATHWAYS_HUMAN_GMT = re.compile(r"wikipathways-(\d{8})-gmt-Homo_sapiens\.gmt")


@dataclass(frozen=True)
class SourceUrls:
    reactome_download: str = "https://reactome.org/download/current/"
    reactome_content: str = "https://reactome.org/ContentService/"
    wikipathways_gmt_listing: str = "https://data.wikipathways.org/current/gmt/"
    # All pathways with their descriptions: the endpoint rWikiPathways' getPathwayInfo() reads.
    wikipathways_info: str = "https://www.wikipathways.org/json/getPathwayInfo.json"
    hgnc: str = "https://storage.googleapis.com/public-download-files/hgnc/tsv/tsv/hgnc_complete_set.txt"
    # Gene Ontology (only for the opt-in "go" evidence source): the acyclic is_a/part_of ontology, human annotations.
    go_obo: str = "https://purl.obolibrary.org/obo/go/go-basic.obo"
    go_gaf: str = "https://current.geneontology.org/annotations/goa_human.gaf.gz"


@dataclass
class DownloadResult:
    directory: Path
    warnings: list[str] = field(default_factory=list)


def download_releases(directory: Path, *, urls: SourceUrls = SourceUrls(), policy: HttpPolicy = DOWNLOAD_POLICY,
                      show_progress: bool = True, with_descriptions: bool = True,
                      with_go: bool = False) -> DownloadResult:
    """Fetch Reactome, WikiPathways and HGNC (and GO `with_go`) into `directory`; raises KnowledgeBaseError if a
    release file fails."""
    directory.mkdir(parents=True, exist_ok=True)
    result = DownloadResult(directory)
    gmt = _download_reactome(directory, urls, policy, show_progress)
    _download_wikipathways(directory, urls, policy, show_progress)
    hgnc = download_file(urls.hgnc, directory / "hgnc_complete_set.txt", policy=policy, show_progress=show_progress)
    record_release(directory, hgnc.path.name, release=hgnc.last_modified or _today(), origin=urls.hgnc)
    if with_go:
        for url, name in ((urls.go_obo, "go-basic.obo"), (urls.go_gaf, "goa_human.gaf.gz")):
            got = download_file(url, directory / name, policy=policy, show_progress=show_progress)
            record_release(directory, name, release=got.last_modified or _today(), origin=url)
    if with_descriptions:
        ids = [s.id for s in parse_reactome_gmt(gmt).gene_sets]
        _save_texts(result, directory / "reactome_summations.json", "Reactome summations",
                    _join(urls.reactome_content, "data/query/ids"),
                    lambda: fetch_reactome_summations(ids, base_url=urls.reactome_content, policy=policy,
                                                      show_progress=show_progress))
        _save_texts(result, directory / "wikipathways_descriptions.json", "WikiPathways descriptions",
                    urls.wikipathways_info, lambda: fetch_wikipathways_descriptions(urls.wikipathways_info,
                                                                                    policy=policy))
    return result


def fetch_reactome_summations(ids: Iterable[str], *, base_url: str = SourceUrls.reactome_content,
                              policy: HttpPolicy = DOWNLOAD_POLICY, show_progress: bool = True) -> dict[str, str]:
    """Pathway id -> summation text (HTML removed)."""
    from tqdm.auto import tqdm

    wanted = list(dict.fromkeys(ids))
    url = _join(base_url, "data/query/ids")
    summations: dict[str, str] = {}
    with tqdm(total=len(wanted), desc="Reactome summations", unit="pathway", disable=not show_progress) as bar:
        for start in range(0, len(wanted), REACTOME_BATCH):
            batch = wanted[start : start + REACTOME_BATCH]
            answer = get_json(url, policy=policy, data=",".join(batch))
            for entry in answer if isinstance(answer, list) else []:
                if text := _summation_text(entry):
                    summations[entry["stId"]] = text
            bar.update(len(batch))
    return summations


def fetch_wikipathways_descriptions(url: str = SourceUrls.wikipathways_info, *, species: str = "Homo sapiens",
                                    policy: HttpPolicy = DOWNLOAD_POLICY) -> dict[str, str]:
    """WikiPathways id -> description, for one species."""
    answer = get_json(url, policy=policy)
    entries = answer.get("pathwayInfo", []) if isinstance(answer, dict) else []
    return {
        e["id"]: clean_text(e["description"])
        for e in entries
        if isinstance(e, dict) and e.get("species") == species and e.get("id") and e.get("description")
    }


def clean_text(text: str) -> str:
    """Plain text from the light HTML of summations and descriptions."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(text))).split())


def record_release(directory: Path, name: str, *, release: str, origin: str) -> None:
    """Add `name` to the directory's RELEASES.json manifest (rewritten atomically)."""
    path = directory / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    manifest[name] = {"release": release, "origin": origin,
                      "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds")}
    write_atomic(path, json.dumps(manifest, indent=2, sort_keys=True))


def _download_reactome(directory: Path, urls: SourceUrls, policy: HttpPolicy, show_progress: bool) -> Path:
    base = urls.reactome_download
    archive = download_file(_join(base, "ReactomePathways.gmt.zip"), directory / "ReactomePathways.gmt.zip",
                            policy=policy, show_progress=show_progress)
    try:
        version = get_text(_join(urls.reactome_content, "data/database/version"), policy=policy).strip()
    except KnowledgeBaseError:
        version = ""
    release = f"v{version}" if version.isdigit() else (archive.last_modified or _today())
    gmt = _extract(archive.path, ".gmt", directory / "ReactomePathways.gmt")
    record_release(directory, gmt.name, release=release, origin=archive.url)
    archive.path.unlink(missing_ok=True)
    for name in ("ReactomePathways.txt", "ReactomePathwaysRelation.txt"):
        download_file(_join(base, name), directory / name, policy=policy, show_progress=show_progress)
        record_release(directory, name, release=release, origin=_join(base, name))
    return gmt


def _download_wikipathways(directory: Path, urls: SourceUrls, policy: HttpPolicy, show_progress: bool) -> Path:
    listing = get_text(urls.wikipathways_gmt_listing, policy=policy)
    names = sorted(set(_WIKIPATHWAYS_HUMAN_GMT.findall(listing)))
    if not names:
        raise KnowledgeBaseError(f"No human GMT (wikipathways-YYYYMMDD-gmt-Homo_sapiens.gmt) is listed at "
                                 f"{urls.wikipathways_gmt_listing}; the site layout may have changed.")
    date = names[-1]
    name = f"wikipathways-{date}-gmt-Homo_sapiens.gmt"
    url = _join(urls.wikipathways_gmt_listing, name)
    got = download_file(url, directory / name, policy=policy, show_progress=show_progress)
    record_release(directory, name, release=f"{date[:4]}-{date[4:6]}-{date[6:]}", origin=url)
    for old in directory.glob("wikipathways-*-gmt-Homo_sapiens.gmt"):
        if old.name != name:
            old.unlink(missing_ok=True)
    return got.path


def _save_texts(result: DownloadResult, path: Path, what: str, origin: str, fetch: Any) -> None:
    try:
        texts = fetch()
    except KnowledgeBaseError as error:
        result.warnings.append(f"{what} unavailable ({error}); pathways are described from their structure.")
        return
    write_atomic(path, json.dumps(texts, indent=1, sort_keys=True))
    record_release(path.parent, path.name, release=_today(), origin=origin)


def _summation_text(entry: Any) -> str:
    # ContentService serialises an object it already sent as its numeric id: only dicts carry text.
    if not isinstance(entry, dict) or not entry.get("stId"):
        return ""
    texts = [clean_text(s.get("text") or "") for s in entry.get("summation") or [] if isinstance(s, dict)]
    return " ".join(t for t in texts if t)


def _extract(archive: Path, suffix: str, dest: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as bundle:
            names = [n for n in bundle.namelist() if n.endswith(suffix)]
            if not names:
                raise KnowledgeBaseError(f"The archive {archive} holds no *{suffix} file.")
            write_atomic(dest, bundle.read(names[0]))
    except zipfile.BadZipFile as error:
        raise KnowledgeBaseError(f"The download {archive} is not a valid zip archive ({error}).") from error
    return dest


def _join(base: str, name: str) -> str:
    return f"{base.rstrip('/')}/{name}"


def _today() -> str:
    return datetime.now(UTC).date().isoformat()
