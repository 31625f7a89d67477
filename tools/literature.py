"""PubMed papers on a claim about a gene set: an online literature source, opt-in (`gene-r1 verify --literature`),
never called by default.

It is langchain-community's PubMed wrapper (`PubMedAPIWrapper`: E-utilities esearch then efetch, its article parser
and field defaults), with the two fetches routed through the house HTTP policy (`knowledge_base.http_policy`:
explicit timeouts, retries with backoff). The wrapper's own fetches are not used as they are: they call
`urllib.request.urlopen` without a timeout (a silent server hangs the command) and build the search term from a
Python set's repr (`str({quote(query)})` sends `{'...'}` to PubMed). Base URLs are explicit, so tests point them at a
stand-in on 127.0.0.1.

What a user reads is quoted by code from PubMed's answer: each paper's PMID and title as the efetch XML gives them.
They are search hits on the claim and the genes, shown beside the verdict; they never change it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError

with warnings.catch_warnings():  # 0.4.2 warns on import that the package is being sunset (see docs/python-api.md)
    warnings.simplefilter("ignore", DeprecationWarning)
    from langchain_community.utilities.pubmed import PubMedAPIWrapper

from gene_r1.knowledge_base.http_policy import USER_AGENT, HttpFailure, HttpPolicy, send
from gene_r1.tools.errors import OnlineServiceError, ToolInputError
from gene_r1.tools.http import request_json

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
FIELD = "[Title/Abstract]"
# PubMed's inline formatting in titles (<i>MLH1</i>-deficient ...): dropped before parsing, so a title reads in order
# (xmltodict would split it into a dict of its tags and text).
INLINE_MARKUP = re.compile(r"</?(?:i|b|u|sup|sub)>")


@dataclass(frozen=True)
class Paper:
    pmid: str
    title: str
    published: str  # the article's electronic date, "YYYY-MM-DD" as far as PubMed gives it ("--" when none)


@dataclass(frozen=True)
class Literature:
    query: str  # the PubMed search term sent
    papers: list[Paper]
    source: str  # the E-utilities base URL asked


class PolicedPubMed(PubMedAPIWrapper):
    """langchain-community's PubMed wrapper whose two requests go through an `HttpPolicy` (timeouts, retries)."""

    policy: Any = HttpPolicy(connect_timeout=5.0, read_timeout=10.0, retries=1, backoff=0.5)

    def lazy_load(self, query: str) -> Iterator[dict]:
        params = {"db": "pubmed", "term": query, "retmode": "json", "retmax": self.top_k_results, "usehistory": "y"}
        answer = request_json("GET", self.base_url_esearch, policy=self.policy, params=self._with_key(params),
                              service="PubMed (esearch)")
        try:
            found = answer["esearchresult"]
            ids, webenv = list(found.get("idlist", [])), found.get("webenv", "")
        except (KeyError, TypeError, AttributeError) as error:
            raise OnlineServiceError(f"PubMed's esearch answered {self.base_url_esearch} without a result.") from error
        for uid in ids:
            yield self.retrieve_article(str(uid), webenv)

    def retrieve_article(self, uid: str, webenv: str) -> dict:
        params = self._with_key({"db": "pubmed", "retmode": "xml", "id": uid, "webenv": webenv})
        try:
            response = send(self.policy, "GET", self.base_url_efetch, params=params,
                            headers={"User-Agent": USER_AGENT, "Accept": "application/xml"})
        except HttpFailure as failure:
            raise OnlineServiceError(f"PubMed (efetch) is unreachable: {failure.problem} from "
                                     f"{self.base_url_efetch}.") from failure
        if response.status_code >= 400:
            raise OnlineServiceError(f"PubMed (efetch) refused PMID {uid}: HTTP {response.status_code}.")
        try:
            return self._parse_article(uid, self.parse(INLINE_MARKUP.sub("", response.text)))
        except (ExpatError, KeyError, TypeError, AttributeError) as error:  # not XML, or not an article
            raise OnlineServiceError(f"PubMed (efetch) answered PMID {uid} with XML that is not an article.") from error

    def _with_key(self, params: dict) -> dict:
        return params | ({"api_key": self.api_key} if self.api_key else {}) | (
            {"email": self.email} if self.email and "example.com" not in self.email else {})


def pubmed_query(claim: str, genes: Sequence[str], max_length: int = 300) -> str:
    """`"DNA mismatch repair"[Title/Abstract] AND (MLH1[Title/Abstract] OR MSH2[Title/Abstract] ...)`: the claim as a
    phrase, and as many genes (in the given order) as fit in `max_length` characters (the wrapper's query cap)."""
    phrase = claim.replace('"', " ").strip()
    if not phrase:
        raise ToolInputError("The claim is empty: there is nothing to search PubMed for.")
    query = f'"{phrase}"{FIELD}'
    terms: list[str] = []
    for gene in genes:
        candidate = terms + [f"{gene}{FIELD}"]
        if len(f"{query} AND ({' OR '.join(candidate)})") > max_length:
            break
        terms = candidate
    return f"{query} AND ({' OR '.join(terms)})" if terms else query


def find_papers(
    claim: str,
    genes: Sequence[str],
    *,
    base_url: str = EUTILS,
    max_results: int = 5,
    timeout: float = 10.0,
    api_key: str = "",
) -> Literature:
    """PubMed papers whose title or abstract names the claim and at least one of the genes, most relevant first.

    Online: raises `OnlineServiceError` when PubMed does not answer within `timeout` seconds (per request, one retry)
    or answers something unreadable."""
    if max_results < 1:
        raise ToolInputError(f"max_results must be >= 1, not {max_results}")
    base = base_url if base_url.endswith("/") else base_url + "/"
    wrapper = PolicedPubMed(
        base_url_esearch=base + "esearch.fcgi",
        base_url_efetch=base + "efetch.fcgi",
        top_k_results=max_results,
        api_key=api_key,
        policy=HttpPolicy(connect_timeout=min(timeout, 5.0), read_timeout=timeout, retries=1, backoff=0.5),
    )
    query = pubmed_query(claim, genes, wrapper.MAX_QUERY_LENGTH)
    papers = [Paper(pmid=str(article["uid"]), title=_text(article["Title"]), published=article["Published"])
              for article in wrapper.load(query)]
    return Literature(query=query, papers=papers, source=base)


def _text(title: object) -> str:
    """A title as text: xmltodict gives a dict when the title holds markup (`<i>MLH1</i> ...`): its text parts."""
    if isinstance(title, dict):
        parts = [str(value) for value in title.values() if isinstance(value, str)]
        return " ".join(" ".join(parts).split())
    return " ".join(str(title).split())
