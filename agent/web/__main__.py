"""`python -m agent.web` = `gene-r1 serve` (what the restart test and the benchmark start as a subprocess)."""

import typer

from agent.web.serve import serve_command

typer.run(serve_command)
