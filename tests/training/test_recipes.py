"""Recipes: the shipped YAML files parse into the dataclasses the CLI uses."""

from __future__ import annotations

import pytest

from gene_r1.training.recipes import RECIPES_DIR, RecipeError, load_recipe, recipe_from_dict


@pytest.mark.parametrize("path", sorted(RECIPES_DIR.glob("*/*.yaml")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_recipe_parses(path):
    recipe = load_recipe(path)
    # sft.yaml, sft-gpu.yaml, judge-dpo.yaml, naming-sft-gpu.yaml: the stage follows the task prefix
    assert recipe.stage == path.stem.removeprefix("judge-").removeprefix("naming-").split("-")[0]
    assert recipe.training.max_steps > 0


def test_cpu_recipe_has_a_wall_time_budget_and_fits_its_examples():
    recipe = load_recipe("smollm2-135m/sft")
    assert recipe.model is None  # the embedded model
    assert recipe.training.use_cpu and recipe.training.max_minutes <= 60
    assert recipe.training.max_length >= 1600  # the longest built example is ~1,560 tokens


def test_unknown_keys_are_reported_with_the_known_ones():
    with pytest.raises(RecipeError, match="Unknown key.*learning_rte"):
        recipe_from_dict({"name": "x", "stage": "sft", "training": {"learning_rte": 1e-4}})


def test_unknown_recipe_names_list_the_shipped_ones():
    with pytest.raises(RecipeError, match="smollm2-135m/sft"):
        load_recipe("no-such-recipe")
