"""Cuts the agent, training and evaluation share, each defined once: change one here and every user changes with it.

- `SIGNIFICANT_FDR`: an enrichment hit is significant at Benjamini-Hochberg FDR <= 0.05 (the usual cut of gseapy
  and clusterProfiler users): what explains a gene, supports a name, counts in a report and in training traces.
- `NEAR_DUPLICATE_JACCARD`: gene sets at Jaccard >= 0.5 are one set for leakage: a benchmark set's near copy never
  trains, and a target's near copies never appear among its evidence (training and evaluation alike).
- `RIGHT_NAME_COSINE`: a name at MiniLM cosine >= 0.5 to the true one counts as right (the ranker's dev labels, the
  confidence calibration) and names that close are one theme.
"""

SIGNIFICANT_FDR = 0.05
NEAR_DUPLICATE_JACCARD = 0.5
RIGHT_NAME_COSINE = 0.5
