"""`python -m gene_r1.agent.web` = `gene-r1 serve` (what the restart test and the benchmark start as a subprocess)."""

import typer

from gene_r1.agent.web.serve import serve_command

typer.run(serve_command)
