"""Themes group pathways by the genes they share; a headline rests on strong evidence."""

from __future__ import annotations

from gene_r1.agent.headline import general_over_reactions, grounded_choices, is_grounded
from gene_r1.agent.themes import MAX_THEMES, cluster_rows, pathway_groups


def row(pid: str, genes: list[str], p: float, size: int = 50, fdr: float | None = None) -> dict:
    return {"pathway_id": pid, "name": pid, "source": "reactome", "overlap_genes": genes, "pathway_size": size,
            "p_value": p, "fdr": p * 10 if fdr is None else fdr, "odds_ratio": 5.0, "kind": "enrichment"}


def candidate(number: int, genes: list[str], fdr: float | None, size: int = 50, pid: str | None = None) -> dict:
    return {"number": number, "name": f"P{number}", "pathway_id": pid or f"P{number}", "overlap_genes": genes,
            "pathway_size": size, "fdr": fdr, "probability": 0.0, "kind": "enrichment" if fdr else "search"}


INTERFERON = [f"IFN{i}" for i in range(8)]
STEROL = [f"CHOL{i}" for i in range(6)]


def test_pathways_sharing_genes_form_one_theme_and_disjoint_ones_another():
    rows = [row("ifn-a", INTERFERON[:6], 1e-12), row("ifn-b", INTERFERON[2:], 1e-10),
            row("chol-a", STEROL, 1e-8), row("chol-b", STEROL[:4], 1e-6)]
    groups = sorted(sorted(rows[i]["pathway_id"] for i in g) for g in cluster_rows(rows))
    assert groups == [["chol-a", "chol-b"], ["ifn-a", "ifn-b"]]


def test_themes_come_strongest_first_with_the_genes_they_cover_in_input_order():
    genes = STEROL + INTERFERON + ["NOISE1", "NOISE2"]
    evidence = [row("chol-a", STEROL, 1e-8), row("ifn-a", INTERFERON[:6], 1e-12), row("ifn-b", INTERFERON[2:], 1e-10)]
    groups = pathway_groups(genes, evidence)
    assert [g.pathway_ids for g in groups] == [["ifn-a", "ifn-b"], ["chol-a"]]
    assert list(groups[0].genes) == INTERFERON
    assert list(groups[1].genes) == STEROL


def test_only_significant_specific_pathways_with_two_genes_make_themes():
    genes = INTERFERON + STEROL
    evidence = [row("ifn-a", INTERFERON, 1e-12), row("huge", STEROL, 1e-9, size=2000),
                row("weak", STEROL, 0.2, fdr=0.3), row("single", STEROL[:1], 1e-4)]
    assert [g.pathway_ids for g in pathway_groups(genes, evidence)] == [["ifn-a"]]


def test_a_theme_whose_genes_a_stronger_theme_holds_is_dropped_and_at_most_five_are_kept():
    genes = [f"G{i}" for i in range(40)]
    evidence = [row(f"t{k}", genes[4 * k: 4 * k + 4], 10.0 ** -(20 - k)) for k in range(8)]
    evidence.append(row("subset", genes[0:3] + genes[4:5], 1e-3))  # overlaps t0 (3 genes) and t1 (1 gene)
    groups = pathway_groups(genes, evidence)
    assert len(groups) == MAX_THEMES
    assert all("subset" not in g.pathway_ids or len(g.pathway_ids) > 1 for g in groups)


def test_a_search_hit_or_an_insignificant_pathway_never_names_a_set():
    assert not is_grounded(candidate(1, ["A", "B", "C"], None), 3, 10, 0.05)
    assert not is_grounded(candidate(1, ["A", "B", "C"], 0.2), 3, 10, 0.05)
    assert is_grounded(candidate(1, ["A", "B", "C"], 0.01), 3, 10, 0.05)


def test_a_pathway_covering_far_less_than_the_best_one_cannot_name_it():
    assert not is_grounded(candidate(1, ["A"], 0.01), 9, 10, 0.05)
    assert not is_grounded(candidate(1, ["A", "B", "C"], 0.01), 5, 12, 0.05, min_share=0.75)
    assert is_grounded(candidate(1, ["A", "B", "C", "D"], 0.01), 5, 12, 0.05, min_share=0.75)


def test_one_gene_sets_may_be_named_by_a_one_gene_pathway():
    assert is_grounded(candidate(1, ["A"], 0.01), 1, 1, 0.05)


def test_a_small_reaction_gives_way_to_a_general_pathway_holding_the_same_genes():
    reaction = candidate(1, ["CDK1", "CCNB1", "PLK1"], 1e-9, size=6)
    general = candidate(2, ["CDK1", "CCNB1", "PLK1"], 1e-6, size=88)
    other_reaction = candidate(3, ["CDK1", "AURKA"], 1e-4, size=5)
    kept = general_over_reactions([reaction, general, other_reaction], reaction_size=10)
    assert [c["number"] for c in kept] == [2, 3]


def test_grounded_choices_keep_the_judges_order_within_the_theme():
    pool = [candidate(1, ["A"], None), candidate(2, ["A", "B", "C", "D"], 0.01),
            candidate(3, ["A", "B", "C", "D", "E"], 0.001), candidate(4, ["X", "Y"], 0.001)]
    chosen = grounded_choices(pool, {"P2", "P3"}, best_overlap=5, set_size=10, fdr_threshold=0.05)
    assert [c["number"] for c in chosen] == [2, 3]
