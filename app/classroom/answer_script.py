"""A headless trainee's answers (``spaceops classroom follow --answer-script FILE``): for
tests and rehearsals, the answer to give on each step and how long to think first.

    format: spaceops-answers
    version: 1
    answers:
      - step: 4            # the lesson step (0 is the first)
        answer: HEO        # an option, or a catalog number for a closest-approach check,
        after_s: 2.5       #   or "ack" for an acknowledgement; wall seconds after the step began

Validated as lessons are (file:line: field: why).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from app.classroom.lesson import LessonError
from app.common.input_file import SMALL_MAX_BYTES, read_input_text
from app.scenario.format import ScenarioError, SourceMap, _load_yaml, _Strict


class ScriptedAnswer(_Strict):
    step: int = Field(ge=0, le=10_000)
    answer: str | int
    after_s: float = Field(1.0, ge=0, le=3600)


class AnswerScript(_Strict):
    format: Literal["spaceops-answers"]
    version: Literal[1]
    answers: list[ScriptedAnswer] = Field(min_length=1, max_length=10_000)

    def for_step(self, step: int | None) -> ScriptedAnswer | None:
        return next((a for a in self.answers if a.step == step), None)


def load_answer_script(path: str | Path) -> AnswerScript:
    """The script, or LessonError listing every problem with file, line and field."""
    path = Path(path)
    try:
        text = read_input_text(path, SMALL_MAX_BYTES)
    except (OSError, UnicodeDecodeError) as error:
        raise LessonError([f"{path}: cannot be read ({getattr(error, 'strerror', None) or error})"]) from None
    try:
        root, data = _load_yaml(text, lambda line: f"{path}:{line}")
    except ScenarioError as error:
        raise LessonError(error.errors) from None
    where = SourceMap(str(path), root)
    try:
        return AnswerScript.model_validate(data)
    except ValidationError as error:
        raise LessonError([m for _line, m in sorted(where.describe(e) for e in error.errors())]) from None
