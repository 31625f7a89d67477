"""The answer parser, on literal strings shaped like what models really write."""

from __future__ import annotations

import pytest

from gene_r1.agent.parsing import ParsedAnswer, parse_answer

# (case id, model text, expected name, expected confidence, expected followed_format)
CASES = [
    (
        "the asked-for format",
        "<think>\nCDK1 and CCNB1 form MPF; PLK1 and AURKA drive mitotic entry.\n</think>\n"
        "Process: Mitotic cell cycle progression\nConfidence: 0.85",
        "Mitotic cell cycle progression",
        0.85,
        True,
    ),
    (
        "published checkpoints: Process first, per-gene analysis after",
        "Process: Pancreatic development and glucose homeostasis\n\n1. PDX1 is a homeodomain transcription factor.",
        "Pancreatic development and glucose homeostasis",
        None,
        False,
    ),
    (
        "think block, then Process first and analysis after",
        "<think>beta cells</think>\nProcess: Insulin secretion\n1. PDX1 ...\nConfidence: 0.7",
        "Insulin secretion",
        0.7,
        True,
    ),
    (
        "Hu et al.'s score in parentheses",
        "Process: Pancreatic development and glucose homeostasis (0.96)\n\n1. PDX1 ...",
        "Pancreatic development and glucose homeostasis",
        0.96,
        False,
    ),
    (
        "repeated answers: the first non-empty name wins",
        "<think>x</think>\nProcess:\t\nProcess: DNA mismatch repair\nConfidence: 0.9\n"
        "Process: DNA repair\nConfidence: 0.2",
        "DNA mismatch repair",
        0.9,
        True,
    ),
    (
        "missing </think>: the answer lines end the reasoning",
        "<think>\nMLH1 and MSH2 recognise mismatches.\nProcess: Mismatch repair\nConfidence: 0.8",
        "Mismatch repair",
        0.8,
        False,
    ),
    (
        "markdown bold",
        "<think>r</think>\n**Process:** Glycolysis\n**Confidence:** 0.6",
        "Glycolysis",
        0.6,
        True,
    ),
    (
        "bold around the whole line and a markdown header",
        "<think>r</think>\n## **Process: Glycolysis**\n- Confidence: 0.6",
        "Glycolysis",
        0.6,
        True,
    ),
    (
        "trailing text after the answer",
        "<think>r</think>\nProcess: Glycolysis.\nConfidence: 0.6\nI hope this helps! Let me know if you need more.",
        "Glycolysis",
        0.6,
        True,
    ),
    ("percentage confidence", "<think>r</think>\nProcess: Glycolysis\nConfidence: 85%", "Glycolysis", 0.85, False),
    ("whole-number confidence read as percent", "Process: Glycolysis\nConfidence: 70", "Glycolysis", 0.7, False),
    ("word confidence", "<think>r</think>\nProcess: Glycolysis\nConfidence: high", "Glycolysis", 0.75, False),
    ("confidence above 1 is clamped", "Process: Glycolysis\nConfidence: 1.7", "Glycolysis", 1.0, False),
    ("unreadable confidence", "Process: Glycolysis\nConfidence: unsure", "Glycolysis", None, False),
    ("name on the line after Process:", "Process:\nDNA repair\nConfidence: 0.5", "DNA repair", 0.5, False),
    ("the template's placeholder is not a name", "Process: <name>\nConfidence: 0.5", None, 0.5, False),
    ("quoted name", '<think>r</think>\nProcess: "Glycolysis"\nConfidence: 0.5', "Glycolysis", 0.5, True),
    ("special tokens are ignored", "Process: Glycolysis<|im_end|>", "Glycolysis", None, False),
    (
        "a decode that still holds the authors' raw prompt",
        "#SYSTEM: \nsys#USER: \nPlace the name ... \"Process: <name>\". Here is the gene set: A,B #Assistant: \n"
        "Process: Glycolysis\n1. A ...",
        "Glycolysis",
        None,
        False,
    ),
    (
        "what untuned SmolLM2 writes: no answer at all",
        "CDK1, CCNB1, CCNA2, PLK1, CDK1, CCNB1, CCNA2, PLK1, protein synthesis protein synthesis",
        None,
        None,
        False,
    ),
    ("empty output", "", None, None, False),
    ("whitespace only", "  \n\n ", None, None, False),
    ("an empty think block does not count", "<think></think>\nProcess: Glycolysis\nConfidence: 0.5", "Glycolysis", 0.5,
     False),
]


@pytest.mark.parametrize(("text", "name", "confidence", "followed"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_parse_answer(text, name, confidence, followed):
    parsed = parse_answer(text)

    assert parsed.name == name
    assert parsed.confidence == (pytest.approx(confidence) if confidence is not None else None)
    assert parsed.followed_format is followed
    assert parsed.raw == text


def test_reasoning_is_the_think_block_when_there_is_one():
    parsed = parse_answer("<think>\nCDK1 binds CCNB1.\n</think>\nProcess: Mitosis\nConfidence: 0.9")

    assert parsed.reasoning == "CDK1 binds CCNB1."


def test_without_a_think_block_the_reasoning_is_the_analysis_around_the_answer_lines():
    parsed = parse_answer("Process: Mitosis\nConfidence: 0.9\n1. CDK1 binds CCNB1.\n2. PLK1 ...")

    assert parsed.reasoning == "1. CDK1 binds CCNB1.\n2. PLK1 ..."


def test_an_unclosed_think_block_keeps_only_the_reasoning():
    parsed = parse_answer("<think>\nMLH1 and MSH2 recognise mismatches.\nProcess: Mismatch repair")

    assert parsed.reasoning == "MLH1 and MSH2 recognise mismatches."


def test_very_long_names_are_cut():
    parsed = parse_answer("Process: " + "cell " * 100)

    assert parsed.name is not None and len(parsed.name) <= 200


ODD_INPUTS = [None, 42, "<think>", "</think>", "Process:", "Confidence: %", "<think><think></think>"]


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_never_raises_on_odd_input(text):
    parsed = parse_answer(text)

    assert isinstance(parsed, ParsedAnswer)
    assert parsed.followed_format is False
