"""The front page stays a front page, and every link in it and in the manual resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli_commands import gene_r1_commands

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_is_a_front_page_of_at_most_150_lines():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 150


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page):
    links = LINK.findall(page.read_text(encoding="utf-8"))
    targets = [t for t in links if "://" not in t and not t.startswith("mailto:")]
    missing = [t for t in targets if not (page.parent / t).exists()]
    assert not missing, f"{page.name} links to missing files: {missing}"


def test_the_site_lists_every_manual_page():
    listed = set(re.findall(r":\s*([\w-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M))
    assert listed == {p.name for p in (ROOT / "docs").glob("*.md")}


# Each command's --help and its docs page say the same: the help names its page ("Docs: docs/PAGE.md"), and the page's
# "### `gene-r1 COMMAND`" section opens with the help's summary and tables exactly the help's options and defaults.
# Read from typer's click objects (the composed app of `gene_r1.training.cli.gene_r1_app`), not from terminal text.

DOCS_LINE = re.compile(r"Docs: docs/([\w-]+\.md)")
OPTION = re.compile(r"(?<![\w-])--[a-z][\w-]*")
# A command line: at the start of a code span or after `$ `, `| `, `&& `, `; ` (not `--adapter gene-r1`, a model name).
INVOCATION = re.compile(r"(?:^|(?<=\$ )|(?<=\| )|(?<=&& )|(?<=; ))gene-r1((?: [a-z][\w-]*)*)(?=\s|$)")


COMMANDS = gene_r1_commands()
# Named gaps, strict: a test here that starts passing fails until its entry goes.
NOT_YET_DOCUMENTED: dict[str, str] = {}


def _command_params() -> list:
    """Every command, the not-yet-documented ones marked as expected failures with their reason."""
    params = []
    for name in COMMANDS:
        gap = next((why for prefix, why in NOT_YET_DOCUMENTED.items() if f"{name} ".startswith(f"{prefix} ")), None)
        marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
        params.append(pytest.param(name, id=name, marks=marks))
    return params


def _options(command) -> list:
    return [p for p in command.params if p.param_type_name == "option" and "--help" not in p.opts]


def _option_names(command) -> set[str]:
    return {name for p in _options(command) for name in (*p.opts, *p.secondary_opts) if name.startswith("--")}


def _default_text(option) -> str:
    """The default as the page's table writes it: nothing for None and off switches, the chosen side of a pair."""
    value = option.default
    if value is None or callable(value) or (option.is_flag and not option.secondary_opts and value is False):
        return ""
    if option.is_flag and option.secondary_opts:
        return option.opts[0] if value else option.secondary_opts[0]
    if isinstance(value, (list, tuple)):
        return " ".join(map(str, value))
    return str(value)


def _docs_page(command) -> str | None:
    found = DOCS_LINE.search(f"{command.help or ''}\n{command.epilog or ''}")
    return found.group(1) if found else None


def _section(name: str, command) -> str:
    """The page's `### \\`NAME\\`` section, up to the next heading."""
    page = _docs_page(command)
    assert page, f"`{name} --help` names no docs page (a 'Docs: docs/PAGE.md' line)"
    lines = (ROOT / "docs" / page).read_text(encoding="utf-8").splitlines()
    heading = f"### `{name}`"
    assert heading in lines, f"docs/{page} has no '{heading}' section"
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("#")), len(lines))
    return "\n".join(lines[start:end])


def _table_rows(section: str) -> dict[str, tuple[str, str]]:
    """Option name -> (default, meaning), from the section's `| \\`--option\\`, ... | default | meaning |` rows."""
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if line.startswith("| `-") and len(cells) == 3:
            meaning = cells[2].replace("\\|", "|").replace("&lt;", "<")
            for name in OPTION.findall(cells[0]):
                rows[name] = (cells[1].strip("`"), meaning)
    return rows


@pytest.mark.parametrize("name", _command_params())
def test_every_command_help_names_its_docs_page_and_the_page_exists(name):
    page = _docs_page(COMMANDS[name])
    assert page, f"`{name} --help` names no docs page (a 'Docs: docs/PAGE.md' line)"
    assert (ROOT / "docs" / page).is_file()


@pytest.mark.parametrize("name", _command_params())
def test_the_docs_section_opens_with_the_help_summary(name):
    command = COMMANDS[name]
    summary = " ".join((command.help or "").split("\n\n")[0].split())
    opening = " ".join(_section(name, command).strip().split("\n\n")[0].split())
    assert opening == summary


@pytest.mark.parametrize("name", _command_params())
def test_the_docs_section_tables_exactly_the_options_of_the_help(name):
    command = COMMANDS[name]
    documented = set(_table_rows(_section(name, command)))
    assert documented == _option_names(command), (
        f"only in --help: {sorted(_option_names(command) - documented)}; "
        f"only on the page: {sorted(documented - _option_names(command))}")


@pytest.mark.parametrize("name", _command_params())
def test_the_docs_section_gives_the_defaults_of_the_help(name):
    command = COMMANDS[name]
    rows = {name: default for name, (default, _) in _table_rows(_section(name, command)).items()}
    wrong = {option.opts[0]: (rows.get(option.opts[0]), _default_text(option)) for option in _options(command)
             if option.opts[0].startswith("--") and rows.get(option.opts[0]) != _default_text(option)}
    assert not wrong, f"(page, help) defaults differ: {wrong}"


@pytest.mark.parametrize("name", _command_params())
def test_the_docs_section_says_what_each_option_does_in_the_words_of_the_help(name):
    command = COMMANDS[name]
    rows = {name: meaning for name, (_, meaning) in _table_rows(_section(name, command)).items()}
    wrong = {option.opts[0]: (rows.get(option.opts[0]), " ".join((option.help or "").split()))
             for option in _options(command)
             if option.opts[0].startswith("--") and rows.get(option.opts[0]) != " ".join((option.help or "").split())}
    assert not wrong, f"(page, help) texts differ: {wrong}"


def _code(text: str) -> list[str]:
    """Inline code spans and fenced code lines (a trailing backslash joins the next line)."""
    spans, fenced = [], re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    for block in fenced:
        spans += block.replace("\\\n", " ").splitlines()
    spans += re.findall(r"`([^`\n]+)`", re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.S | re.M))
    return spans


def _named_options(text: str) -> list[tuple[str, str]]:
    """(command, --option) for every `gene-r1 COMMAND ... --option` in a page's code: the longest command path that
    exists, and the options up to the next ` | `, ` # `, ` && ` or `; `."""
    found = []
    for span in _code(text):
        for match in INVOCATION.finditer(span.strip()):
            words = match.group(1).split()
            while words and "gene-r1 " + " ".join(words) not in COMMANDS:
                words.pop()
            command = " ".join(["gene-r1", *words])
            tail = re.split(r" \| | # | && |; ", span.strip()[match.end():])[0]
            found += [(command, option) for option in OPTION.findall(tail)]
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_option_a_page_names_for_a_command_exists(page):
    named = _named_options(page.read_text(encoding="utf-8"))
    missing = sorted({(c, o) for c, o in named if o not in _option_names(COMMANDS[c]) | {"--help"}})
    assert not missing, f"{page.name} names options these commands do not have: {missing}"


def test_the_option_scan_reads_commands_flags_and_continued_lines():
    text = ("`gene-r1 kb build --with-go | kb info` and `vllm serve --lora-modules gene-r1=DIR --max-lora-rank 16`\n"
            "```bash\ngene-r1 batch X --out D \\\n    --engine ray  # --no\n"
            "$ gene-r1 analyze --adapter gene-r1 --explain A B | gene-r1 chat -t x\n```\n")
    assert _named_options(text) == [("gene-r1 batch", "--out"), ("gene-r1 batch", "--engine"),
                                    ("gene-r1 analyze", "--adapter"), ("gene-r1 analyze", "--explain"),
                                    ("gene-r1 kb build", "--with-go")]
