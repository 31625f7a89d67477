"""The eight well-known gene sets the model benchmarks prompt with (one per batch slot of a batch of 8)."""

GENE_SETS = [
    ["CDK1", "CCNB1", "CCNA2", "PLK1", "AURKA", "BUB1", "MAD2L1", "CDC20"],
    ["MLH1", "MSH2", "MSH6", "PMS2", "EXO1"],
    ["HK1", "GPI", "PFKM", "ALDOA", "TPI1", "GAPDH", "PGK1", "ENO1", "PKM"],
    ["IL6", "JAK1", "STAT3", "SOCS3", "IL6R", "IL6ST"],
    ["ATG5", "ATG7", "ATG12", "BECN1", "MAP1LC3B", "SQSTM1"],
    ["RPL3", "RPL4", "RPS3", "RPS6", "RPL11", "RPS19"],
    ["BAX", "BAK1", "BCL2", "CYCS", "APAF1", "CASP9", "CASP3"],
    ["NOTCH1", "DLL1", "JAG1", "RBPJ", "HES1", "MAML1"],
]
