"""PubMed as an opt-in literature source, against a stand-in E-utilities server on 127.0.0.1 serving canned answers
in NCBI's shapes (esearch JSON, efetch PubmedArticleSet XML)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from gene_r1.agent.cli import app
from gene_r1.tools.errors import OnlineServiceError
from gene_r1.tools.literature import find_papers, pubmed_query
from tests.knowledge_base.local_server import LocalServer, Route

MISMATCH_REPAIR = ["MLH1", "MSH2", "MSH6", "PMS2"]


def esearch(ids: list[str]) -> bytes:
    return json.dumps({
        "header": {"type": "esearch", "version": "0.3"},
        "esearchresult": {"count": str(len(ids)), "retmax": str(len(ids)), "retstart": "0", "querykey": "1",
                          "webenv": "MCID_stand_in", "idlist": ids, "translationset": [],
                          "querytranslation": "stand-in"},
    }).encode()


def efetch(pmid: str, title: str) -> bytes:
    return f"""<?xml version="1.0" ?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2024//EN"
 "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">
<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{pmid}</PMID>
<Article PubModel="Print"><Journal><Title>Stand-in Journal</Title></Journal>
<ArticleTitle>{title}</ArticleTitle>
<Abstract><AbstractText>An abstract.</AbstractText></Abstract>
<ArticleDate DateType="Electronic"><Year>2020</Year><Month>03</Month><Day>01</Day></ArticleDate>
</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>""".encode()


class EUtilities(LocalServer):
    """The stand-in: routes by path (efetch also by its `id`), and keeps each request's query parameters."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[tuple[str, dict[str, list[str]]]] = []

    def _answer(self, handler, body: bytes) -> None:
        parts = urlsplit(handler.path)
        params = parse_qs(parts.query)
        self.queries.append((parts.path, params))
        handler.path = parts.path + (f"?id={params['id'][0]}" if "id" in params else "")
        super()._answer(handler, body)


@pytest.fixture
def pubmed():
    server = EUtilities().start()
    server.routes["/esearch.fcgi"] = Route(esearch(["31000001", "31000002"]), content_type="application/json")
    server.routes["/efetch.fcgi?id=31000001"] = Route(
        efetch("31000001", "<i>MLH1</i> and <i>MSH2</i> in DNA mismatch repair."), content_type="text/xml")
    server.routes["/efetch.fcgi?id=31000002"] = Route(
        efetch("31000002", "Mismatch repair deficiency in colorectal cancer."), content_type="text/xml")
    yield server
    server.stop()


def test_papers_are_the_pmids_and_titles_pubmed_returns_in_its_order(pubmed):
    found = find_papers("DNA mismatch repair", MISMATCH_REPAIR, base_url=pubmed.url)
    assert [(p.pmid, p.title) for p in found.papers] == [
        ("31000001", "MLH1 and MSH2 in DNA mismatch repair."),
        ("31000002", "Mismatch repair deficiency in colorectal cancer."),
    ]
    assert found.papers[0].published == "2020-03-01"


def test_the_search_names_the_claim_as_a_phrase_and_the_genes(pubmed):
    find_papers("DNA mismatch repair", MISMATCH_REPAIR, base_url=pubmed.url, max_results=2)
    path, params = pubmed.queries[0]
    assert path == "/esearch.fcgi" and params["db"] == ["pubmed"] and params["retmax"] == ["2"]
    assert params["term"] == ['"DNA mismatch repair"[Title/Abstract] AND (MLH1[Title/Abstract] OR '
                              'MSH2[Title/Abstract] OR MSH6[Title/Abstract] OR PMS2[Title/Abstract])']
    assert [p["id"] for path, p in pubmed.queries[1:]] == [["31000001"], ["31000002"]]
    assert all(p["webenv"] == ["MCID_stand_in"] for _, p in pubmed.queries[1:])


def test_a_long_gene_list_is_cut_to_the_query_cap():
    query = pubmed_query("DNA repair", [f"GENE{i}" for i in range(100)], max_length=300)
    assert len(query) <= 300 and "GENE0[Title/Abstract]" in query and "GENE99" not in query


def test_no_hit_is_an_empty_list(pubmed):
    pubmed.routes["/esearch.fcgi"] = Route(esearch([]), content_type="application/json")
    assert find_papers("an unheard-of process", ["MLH1"], base_url=pubmed.url).papers == []


def test_a_server_that_does_not_answer_in_time_is_an_error_not_a_hang(pubmed):
    pubmed.routes["/esearch.fcgi"].delay = 2.0
    with pytest.raises(OnlineServiceError, match="no answer within 0.2 s"):
        find_papers("DNA mismatch repair", MISMATCH_REPAIR, base_url=pubmed.url, timeout=0.2)


def test_an_answer_that_is_not_an_article_is_an_error(pubmed):
    pubmed.routes["/efetch.fcgi?id=31000001"] = Route(b"<html>busy</html>", content_type="text/html")
    with pytest.raises(OnlineServiceError, match="not an article"):
        find_papers("DNA mismatch repair", MISMATCH_REPAIR, base_url=pubmed.url)


@pytest.fixture
def kb_env(built_kb_home, monkeypatch):
    monkeypatch.setenv("GENE_R1_HOME", str(built_kb_home))


def test_verify_with_literature_prints_pmids_and_titles_under_the_verdict(kb_env, pubmed):
    result = CliRunner().invoke(app, ["verify", "--claim", "DNA mismatch repair", *MISMATCH_REPAIR, "--literature",
                                      "--pubmed-url", pubmed.url])
    assert result.exit_code == 0, result.output
    verdict_at = result.output.index("Verdict:")
    assert result.output.index("PMID 31000001: MLH1 and MSH2 in DNA mismatch repair.") > verdict_at
    assert "PMID 31000002: Mismatch repair deficiency in colorectal cancer." in result.output


def test_verify_asks_pubmed_nothing_without_the_flag(kb_env, pubmed):
    result = CliRunner().invoke(app, ["verify", "--claim", "DNA mismatch repair", *MISMATCH_REPAIR,
                                      "--pubmed-url", pubmed.url])
    assert result.exit_code == 0, result.output
    assert pubmed.log == [] and "PMID" not in result.output


def test_verify_json_carries_the_papers(kb_env, pubmed):
    result = CliRunner().invoke(app, ["verify", "--claim", "DNA mismatch repair", *MISMATCH_REPAIR, "--literature",
                                      "--pubmed-url", pubmed.url, "--json"])
    papers = json.loads(result.output)["literature"]["papers"]
    assert [p["pmid"] for p in papers] == ["31000001", "31000002"]


def test_pubmed_unreachable_keeps_the_verdict_and_says_why(kb_env, pubmed):
    url = pubmed.url
    pubmed.stop()
    result = CliRunner().invoke(app, ["verify", "--claim", "DNA mismatch repair", *MISMATCH_REPAIR, "--literature",
                                      "--pubmed-url", url])
    assert result.exit_code == 0 and "Verdict: supported" in result.output
    assert "Literature: not available" in result.output and "cannot connect" in result.output
