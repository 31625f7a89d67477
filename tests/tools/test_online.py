"""The online lookups against a local HTTP server on 127.0.0.1 serving canned answers in the services' real shapes."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from gene_r1.tools import reactome_pathways, wikipathways_pathways
from gene_r1.tools.errors import OnlineServiceError
from gene_r1.tools.http import HttpPolicy, request_json

FAST = HttpPolicy(connect_timeout=1.0, read_timeout=0.5, retries=1, backoff=0.0)
TOKEN = "MjAyNTExMjYxMzAwMDBfMQ%3D%3D"

# Reactome AnalysisService: POST /identifiers/projection (AnalysisResult) then POST /token/{token}/found/all.
PROJECTION = {
    "summary": {"token": TOKEN, "projection": True, "interactors": False, "type": "OVERREPRESENTATION",
                "sampleName": "", "text": True, "includeDisease": True},
    "expression": {"columnNames": []},
    "identifiersNotFound": 1,
    "pathwaysFound": 2,
    "pathways": [
        {"stId": "R-HSA-73894", "dbId": 73894, "name": "DNA Repair", "llp": False, "inDisease": False,
         "species": {"dbId": 48887, "taxId": "9606", "name": "Homo sapiens"},
         "entities": {"resource": "TOTAL", "total": 332, "found": 2, "ratio": 0.02, "pValue": 1.2e-3, "fdr": 4.1e-2,
                      "exp": []},
         "reactions": {"resource": "TOTAL", "total": 120, "found": 9, "ratio": 0.01}},
        {"stId": "R-HSA-5358508", "dbId": 5358508, "name": "Mismatch Repair", "llp": True, "inDisease": False,
         "species": {"dbId": 48887, "taxId": "9606", "name": "Homo sapiens"},
         "entities": {"resource": "TOTAL", "total": 15, "found": 3, "ratio": 0.001, "pValue": 2.5e-7,
                      "fdr": 1.1e-5, "exp": []},
         "reactions": {"resource": "TOTAL", "total": 7, "found": 7, "ratio": 0.001}},
    ],
    "resourceSummary": [{"resource": "TOTAL", "pathways": 2, "filtered": 2}],
    "speciesSummary": [{"dbId": 48887, "taxId": "9606", "name": "Homo sapiens", "pathways": 2, "filtered": 2}],
    "warnings": [],
}
FOUND = [
    {"pathway": "R-HSA-5358508", "foundEntities": 3, "foundInteractors": 0, "expNames": [], "resources": ["UNIPROT"],
     "entities": [{"id": gene, "exp": [], "mapsTo": [{"resource": "UNIPROT", "ids": [uniprot]}]}
                  for gene, uniprot in (("MLH1", "P40692"), ("MSH2", "P43246"), ("PMS2", "P54278"))],
     "interactors": []},
    {"pathway": "R-HSA-73894", "foundEntities": 2, "foundInteractors": 0, "expNames": [], "resources": ["UNIPROT"],
     "entities": [{"id": "MLH1", "exp": [], "mapsTo": [{"resource": "UNIPROT", "ids": ["P40692"]}]},
                  {"id": "MSH2", "exp": [], "mapsTo": [{"resource": "UNIPROT", "ids": ["P43246"]}]}],
     "interactors": []},
]
# WikiPathways' JSON API: one static file listing every pathway with its xrefs joined by ", ".
XREFS = {"pathwayInfo": [
    {"id": "WP531", "url": "https://www.wikipathways.org/instance/WP531", "name": "DNA mismatch repair",
     "species": "Homo sapiens", "revision": "2024-01-05", "authors": "A, B", "description": "Mismatch repair...",
     "ncbigene": "4292, 4436", "ensembl": "ENSG00000076242, ENSG00000095002", "hgnc": "MLH1, MSH2, MSH6, PMS2",
     "uniprot": "P40692, P43246", "wikidata": "", "chebi": "", "inchi": ""},
    {"id": "WP4946", "url": "https://www.wikipathways.org/instance/WP4946", "name": "DNA repair pathways",
     "species": "Homo sapiens", "revision": "2023-10-01", "authors": "C", "description": "",
     "ncbigene": "", "ensembl": "", "hgnc": "MLH1, BRCA1, BRCA2, ATM, ATR, XRCC1", "uniprot": "", "wikidata": "",
     "chebi": "", "inchi": ""},
    {"id": "WP1242", "url": "https://www.wikipathways.org/instance/WP1242", "name": "Mismatch repair (mouse)",
     "species": "Mus musculus", "revision": "2021-01-01", "authors": "D", "description": "",
     "ncbigene": "", "ensembl": "", "hgnc": "MLH1, MSH2", "uniprot": "", "wikidata": "", "chebi": "", "inchi": ""},
    {"id": "WP9", "url": "", "name": "Metabolites only", "species": "Homo sapiens", "revision": "", "authors": "",
     "description": "", "ncbigene": "", "ensembl": "", "hgnc": "", "uniprot": "", "wikidata": "", "chebi": "1, 2",
     "inchi": ""},
]}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: str


@dataclass
class FakeService:
    """Routes (method, path) to a handler returning (status, body); records every request."""

    routes: dict[tuple[str, str], Callable[[Request], tuple[int, str]]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    url: str = ""

    def json(self, method: str, path: str, payload, status: int = 200) -> None:
        self.routes[(method, path)] = lambda request: (status, json.dumps(payload))


@pytest.fixture
def service() -> Iterator[FakeService]:
    fake = FakeService()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parsed = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(self.command, parsed.path, parse_qs(parsed.query),
                              self.rfile.read(length).decode() if length else "")
            fake.requests.append(request)
            route = fake.routes.get((self.command, parsed.path))
            status, body = route(request) if route else (404, '{"code": 404, "reason": "Not Found"}')
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def reactome_routes(service: FakeService) -> str:
    base = "/AnalysisService"
    service.json("POST", f"{base}/identifiers/projection", PROJECTION)
    service.json("POST", f"{base}/token/{TOKEN}/found/all", FOUND)
    return service.url + base


def test_reactome_online_posts_the_genes_and_reads_pathways_and_found_genes(small_kb, service):
    base = reactome_routes(service)

    lookup = reactome_pathways(["mlh1", "MSH2", "PMS2"], online=True, kb=small_kb, base_url=base, policy=FAST)

    assert lookup.origin == "online" and lookup.warnings == ()
    first = lookup.pathways[0]
    assert (first.pathway_id, first.name, first.overlap, first.pathway_size) == ("R-HSA-5358508", "Mismatch Repair",
                                                                                 3, 15)
    assert first.overlap_genes == ("MLH1", "MSH2", "PMS2")
    assert (first.p_value, first.fdr) == (2.5e-7, 1.1e-5)
    analysis, found = service.requests
    assert analysis.body.split("\n") == ["MLH1", "MSH2", "PMS2"]  # normalised before sending
    assert analysis.query["pageSize"] == ["25"] and analysis.query["interactors"] == ["false"]
    assert found.body == "R-HSA-73894,R-HSA-5358508"


def test_reactome_server_errors_are_retried_then_fall_back_to_local_with_a_warning(small_kb, service, caplog):
    service.json("POST", "/AnalysisService/identifiers/projection", {"code": 503}, status=503)

    lookup = reactome_pathways(["MLH1", "MSH2"], online=True, kb=small_kb,
                               base_url=service.url + "/AnalysisService", policy=FAST)

    assert len(service.requests) == 2  # the first attempt and one retry
    assert lookup.origin == "local"
    assert lookup.pathways[0].pathway_id in {"R-HSA-5358508", "R-HSA-73894"}
    assert "HTTP 503" in lookup.warnings[0] and "Falling back to the local reactome" in lookup.warnings[0]
    assert "Falling back" in caplog.text


def test_a_refused_request_is_not_retried(small_kb, service):
    lookup = reactome_pathways(["MLH1"], online=True, kb=small_kb, base_url=service.url + "/nowhere", policy=FAST)

    assert len(service.requests) == 1
    assert lookup.origin == "local" and "HTTP 404" in lookup.warnings[0]


def test_an_unreachable_service_falls_back_to_local(small_kb):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    lookup = reactome_pathways(["MLH1"], online=True, kb=small_kb, base_url=f"http://127.0.0.1:{port}", policy=FAST)

    assert lookup.origin == "local" and "cannot connect" in lookup.warnings[0]


def test_a_slow_service_times_out(service):
    def slow(request):
        time.sleep(1.5)
        return 200, "{}"

    service.routes[("GET", "/slow")] = slow
    started = time.perf_counter()

    with pytest.raises(OnlineServiceError, match="no answer within 0.5 s"):
        request_json("GET", service.url + "/slow", policy=HttpPolicy(read_timeout=0.5, retries=0))
    assert time.perf_counter() - started < 1.4


def test_an_answer_that_is_not_json_is_a_clear_error(service):
    service.routes[("GET", "/html")] = lambda request: (200, "<html>maintenance</html>")

    with pytest.raises(OnlineServiceError, match="not JSON"):
        request_json("GET", service.url + "/html", policy=FAST)


def test_an_unexpected_reactome_shape_falls_back_to_local(small_kb, service):
    service.json("POST", "/AnalysisService/identifiers/projection", {"message": "changed API"})

    lookup = reactome_pathways(["MLH1"], online=True, kb=small_kb, base_url=service.url + "/AnalysisService",
                               policy=FAST)

    assert lookup.origin == "local" and "summary.token" in lookup.warnings[0]


def test_wikipathways_online_filters_the_xref_file_to_human_pathways_with_the_genes(small_kb, service):
    service.json("GET", "/json/findPathwaysByXref.json", XREFS)

    lookup = wikipathways_pathways(["MLH1", "MSH2", "BRCA1"], online=True, kb=small_kb, base_url=service.url,
                                   policy=FAST)

    assert lookup.origin == "online"
    assert [(p.pathway_id, p.overlap_genes, p.pathway_size) for p in lookup.pathways] == [
        ("WP531", ("MLH1", "MSH2"), 4),  # as many genes as WP4946, in a smaller pathway
        ("WP4946", ("BRCA1", "MLH1"), 6),
    ]


def test_wikipathways_falls_back_to_local_when_the_file_is_missing(small_kb, service):
    lookup = wikipathways_pathways(["MLH1", "MSH2"], online=True, kb=small_kb, base_url=service.url, policy=FAST)

    assert lookup.origin == "local"
    assert lookup.pathways[0].pathway_id == "WP531"
    assert "HTTP 404" in lookup.warnings[0]


def test_local_lookup_ranks_by_overlap_then_by_the_smaller_pathway(small_kb):
    lookup = reactome_pathways(["MLH1", "MSH2", "TP53", "NOTAGENE"], kb=small_kb)

    assert lookup.origin == "local"
    assert [(p.pathway_id, p.overlap) for p in lookup.pathways] == [
        ("R-HSA-73894", 3), ("R-HSA-5358508", 2), ("R-HSA-109581", 1),
    ]
    assert lookup.warnings == ("Unknown symbols left out: NOTAGENE.",)
    assert lookup.normalisation.unknown == ("NOTAGENE",)


def test_local_lookup_respects_max_results(small_kb):
    assert len(wikipathways_pathways(["CDK1", "MLH1", "HK1"], kb=small_kb, max_results=2).pathways) == 2


def test_no_network_is_used_unless_asked(small_kb, service):
    reactome_routes(service)

    reactome_pathways(["MLH1"], kb=small_kb, base_url=service.url + "/AnalysisService")

    assert service.requests == []
