"""The `gene-r1` command tree as Click sees it, for the tests that read commands and their options."""

from __future__ import annotations


def walk(command, path=("gene-r1",)):
    """(`"gene-r1 model info"`, its Click command) for the command and every sub-command below it."""
    yield " ".join(path), command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, (*path, name))


def gene_r1_commands() -> dict:
    """Every command of `gene-r1`, by its command line (`"gene-r1 batch"`)."""
    import typer

    from gene_r1.training.cli import gene_r1_app

    return dict(walk(typer.main.get_command(gene_r1_app())))


def options_by_flag(command) -> dict:
    """A Click command's `--` options by their first flag, in the order `--help` lists them."""
    return {param.opts[0]: param for param in command.params if param.opts[0].startswith("--")}
