"""The model options (`--model --adapter --backend --base-url`): declared once, the same on every command."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from gene_r1.agent.commands import make_config
from gene_r1.agent.model_options import MODEL_OPTIONS, ModelChoice, with_model_choice
from tests.cli_commands import gene_r1_commands, options_by_flag

runner = CliRunner()
MODEL_FLAGS = ["--model", "--adapter", "--backend", "--base-url"]
COMMANDS_THAT_RUN_A_MODEL = ["analyze", "batch", "chat", "serve", "model info", "model generate"]


def recording_app(received: list[ModelChoice]) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @with_model_choice
    def run(genes: list[str] = typer.Argument(None), title: str = "", choice: ModelChoice = ModelChoice(),
            quiet: bool = False):
        received.append(choice)

    return app


@pytest.mark.parametrize("name", COMMANDS_THAT_RUN_A_MODEL)
def test_every_command_that_runs_a_model_offers_the_same_four_options(name):
    options = options_by_flag(gene_r1_commands()[f"gene-r1 {name}"])

    assert {flag: options[flag].help for flag in MODEL_FLAGS} == {
        flag: MODEL_OPTIONS[flag.removeprefix("--").replace("-", "_")].help for flag in MODEL_FLAGS
    }


def test_the_options_given_reach_the_command_as_one_model_choice():
    received: list[ModelChoice] = []
    result = runner.invoke(recording_app(received), ["CDK1", "--backend", "openai", "--base-url", "http://h:1/v1",
                                                     "--model", "served", "--adapter", "gene-r1", "--quiet"])

    assert result.exit_code == 0, result.output
    assert received == [ModelChoice(model="served", adapter="gene-r1", backend="openai", base_url="http://h:1/v1")]


def test_options_not_given_stay_unchosen():
    received: list[ModelChoice] = []
    result = runner.invoke(recording_app(received), ["CDK1"])

    assert result.exit_code == 0, result.output
    assert received == [ModelChoice()]


def test_the_model_options_stand_where_the_choice_parameter_stands_among_the_commands_own():
    options = list(options_by_flag(typer.main.get_command(recording_app([]))))

    assert options[:6] == ["--title", *MODEL_FLAGS, "--quiet"]


def test_an_unchosen_option_falls_back_to_the_environment_and_a_chosen_one_wins(monkeypatch):
    monkeypatch.setenv("GENE_R1_MODEL", "from-env")
    monkeypatch.setenv("GENE_R1_BACKEND", "openai")

    config = make_config(ModelChoice(backend="transformers"))

    assert (config.model, config.backend) == ("from-env", "transformers")


def test_a_command_without_a_choice_parameter_is_refused_when_declared():
    def command(quiet: bool = False):
        return quiet

    with pytest.raises(TypeError, match="needs a `choice: ModelChoice` parameter"):
        with_model_choice(command)
