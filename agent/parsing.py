"""Reading a model's answer: the `<think>` reasoning, the `Process:` name and the `Confidence:` value.

Small models rarely follow the format exactly, so the parser takes what it can find and says, in
`followed_format`, whether the answer was exactly what was asked: a closed `<think>…</think>` block, a non-empty
`Process: <name>` line and a `Confidence:` number between 0 and 1. It never raises on model text.

Accepted deviations: `Process:` before or after the reasoning (the published checkpoints write it first and a
per-gene analysis after it), repeated `Process:` lines (the first non-empty one wins), a missing `</think>`,
markdown (`**Process:**`, `## Process:`), trailing text, Hu et al.'s `Process: name (0.96)` confidence,
percentages (`85%`, or a whole number from 2 to 100) and words (`high`, `medium`, `low`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words a model uses instead of a number; Hu et al. asked for Low/Medium/High.
CONFIDENCE_WORDS = {
    "very low": 0.1,
    "low": 0.25,
    "moderate": 0.5,
    "medium": 0.5,
    "high": 0.75,
    "very high": 0.9,
}
_MAX_NAME_LENGTH = 200

_SPECIAL_TOKENS = re.compile(r"<\|[a-z_]+\|>|</s>|<s>")
_THINK_OPEN = re.compile(r"<think>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think>", re.IGNORECASE)
_LINE_PREFIX = r"^[ \t>#*_\-]*"  # markdown headers, bullets, quotes, bold
_PROCESS = re.compile(_LINE_PREFIX + r"process[ \t]*(?:name)?[ \t*_]*[:：][ \t*_]*(?P<value>.*)$", re.I | re.M)
_CONFIDENCE = re.compile(
    _LINE_PREFIX + r"confidence(?:[ \t]+(?:score|level))?[ \t*_]*[:=：][ \t*_]*(?P<value>.*)$", re.I | re.M
)
_NUMBER = re.compile(r"^(?P<number>\d+(?:\.\d+)?|\.\d+)[ \t]*(?P<percent>%|percent)?")
_TRAILING_SCORE = re.compile(r"[ \t]*\((?P<score>\d*\.?\d+)[ \t]*(?P<percent>%?)\)[ \t.]*$")
_PLACEHOLDERS = {"<name>", "name", "none", "n/a", ""}


@dataclass(frozen=True)
class ParsedAnswer:
    """What was read from one model answer. `raw` is the text as given."""

    name: str | None
    confidence: float | None  # clamped to 0..1; None when absent or unreadable
    reasoning: str
    followed_format: bool
    raw: str


@dataclass(frozen=True)
class _Confidence:
    value: float | None
    strict: bool  # a plain number between 0 and 1, as asked


def _clean_name(value: str) -> tuple[str | None, _Confidence | None]:
    """The process name from the text after `Process:`, and a `(0.96)` score written after it, if any."""
    value = value.strip()
    score = None
    match = _TRAILING_SCORE.search(value)
    if match:
        score = _read_confidence(match.group("score") + match.group("percent"))
        value = value[: match.start()]
    value = value.strip().strip("*_`").strip().strip("\"'“”‘’").strip()
    value = value.rstrip(".").strip()
    if value.lower() in _PLACEHOLDERS:
        return None, score
    return value[:_MAX_NAME_LENGTH].strip(), score


def _read_confidence(value: str) -> _Confidence:
    value = value.strip().strip("*_`\"'").strip()
    match = _NUMBER.match(value)
    if match:
        number = float(match.group("number"))
        if match.group("percent") or (number.is_integer() and 1 < number <= 100):
            return _Confidence(min(number / 100, 1.0), strict=False)
        return _Confidence(min(number, 1.0), strict=number <= 1)
    lowered = value.lower()
    for word in sorted(CONFIDENCE_WORDS, key=len, reverse=True):
        if lowered.startswith(word):
            return _Confidence(CONFIDENCE_WORDS[word], strict=False)
    return _Confidence(None, strict=False)


def _first_name(text: str) -> tuple[str | None, _Confidence | None, int]:
    """The first non-empty `Process:` name in `text`, its inline score, and where its line ends (-1 if none)."""
    for match in _PROCESS.finditer(text):
        value, end = match.group("value"), match.end()
        if not value.strip():  # "Process:" alone on its line: the name may be on the next one
            following = re.match(r"[ \t]*\n[ \t]*(?P<line>[^\n]+)", text[end:])
            if following and not _PROCESS.match(following.group("line")) and not _CONFIDENCE.match(
                following.group("line")
            ):
                value, end = following.group("line"), end + following.end()
        name, score = _clean_name(value)
        if name:
            return name, score, end
    return None, None, -1


def _first_confidence(text: str) -> _Confidence | None:
    for match in _CONFIDENCE.finditer(text):
        confidence = _read_confidence(match.group("value"))
        if confidence.value is not None:
            return confidence
    return None


def _split_think(text: str) -> tuple[str | None, str, bool]:
    """(reasoning inside <think>, the rest of the answer, whether the block was closed)."""
    opened = _THINK_OPEN.search(text)
    closed = _THINK_CLOSE.search(text, opened.end() if opened else 0)
    if opened and closed:
        return text[opened.end() : closed.start()], text[: opened.start()] + "\n" + text[closed.end() :], True
    if closed:  # some chat templates put <think> in the prompt; the answer starts inside the block
        return text[: closed.start()], text[closed.end() :], True
    if opened:
        body = text[opened.end() :]
        process = _PROCESS.search(body)
        if process:  # an unclosed block ends where the answer lines begin
            return body[: process.start()], text[: opened.start()] + "\n" + body[process.start() :], False
        return body, text[: opened.start()], False
    return None, text, False


def _strip_answer_lines(text: str) -> str:
    without = _CONFIDENCE.sub("", _PROCESS.sub("", text))
    return "\n".join(line.rstrip() for line in without.strip().splitlines()).strip()


def parse_answer(text: str | None) -> ParsedAnswer:
    """Read a model's answer; never raises. See the module docstring for the accepted shapes."""
    raw = text if isinstance(text, str) else ""
    body = _SPECIAL_TOKENS.sub("", raw)
    if "#Assistant:" in body:  # a decode of the authors' raw prompt plus the answer
        body = body.rsplit("#Assistant:", 1)[1]
    thought, answer, closed = _split_think(body)

    name, inline_score, name_end = _first_name(answer)
    search_space = answer
    if name is None and thought:  # the answer was written inside an unclosed (or misplaced) think block
        name, inline_score, name_end = _first_name(thought)
        search_space = thought
    confidence = None
    if name_end >= 0:
        confidence = _first_confidence(search_space[name_end:])
    confidence = confidence or _first_confidence(answer) or (thought and _first_confidence(thought)) or None
    confidence = confidence or inline_score

    if thought is not None and thought.strip():
        reasoning = thought.strip()
    else:
        reasoning = _strip_answer_lines(answer)
    followed = bool(closed and thought and thought.strip() and name and confidence and confidence.strict)
    return ParsedAnswer(
        name=name,
        confidence=None if confidence is None else max(0.0, min(1.0, confidence.value)),
        reasoning=reasoning,
        followed_format=followed,
        raw=raw,
    )
