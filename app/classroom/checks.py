"""Judging a trainee's answer to a lesson step's check with the console's own machinery: the
catalog's regime classification, screening, tasking feasibility, the alert clock.

Each ``judge_*`` returns a :class:`Verdict`; ``correct`` is None for a poll (GO/NO-GO, a
choice without a right answer), where every answer counts and none is wrong. The check
itself arrives as the plain dict the instructor published (``model_dump`` of
``app.classroom.lesson``'s check models); :func:`check_model` reads it back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from pydantic import TypeAdapter, ValidationError

from app.catalog.catalog import Catalog
from app.classroom.lesson import GO_NO_GO, REGIMES, LessonCheck
from app.conjunction.screening import screen_primaries

CLOSEST_THRESHOLDS_KM = (50.0, 1000.0)  # screen near first (13 s for the ISS on 18.7k objects), wider if nothing
CLOSEST_STEP_S = 60.0

_CHECK = TypeAdapter(LessonCheck)


class CheckError(ValueError):
    """A check that cannot be judged here (unknown object, unreadable check); says why."""


@dataclass(frozen=True)
class Verdict:
    answer: str
    correct: bool | None  # None: a poll
    expected: str = ""  # the right answer, as the trainee would have given it
    note: str = ""  # how it was judged, for the instructor and the debrief

    def as_dict(self) -> dict:
        return asdict(self)


def check_model(check: dict):
    """The check model from the published dict (CheckError naming the field otherwise)."""
    try:
        return _CHECK.validate_python(check)
    except ValidationError as error:
        first = error.errors()[0]
        raise CheckError(f"check.{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def answer_options(check: dict | None) -> tuple[str, ...]:
    """The answers a trainee picks from (empty: the answer is an action: a selection, an
    acknowledgement, a tasking request)."""
    if not check:
        return ()
    kind = check.get("kind")
    if kind == "choice":
        return tuple(check.get("options", ()))
    return {"regime": REGIMES, "go_no_go": GO_NO_GO}.get(kind, ())


def judge_choice(check: dict, answer: str) -> Verdict:
    model = check_model(check)
    if model.kind == "go_no_go":
        return _poll(answer, GO_NO_GO)
    if model.answer is None:
        return _poll(answer, tuple(model.options))
    return Verdict(answer, answer == model.answer, model.answer, "one of " + ", ".join(model.options))


def _poll(answer: str, options: tuple[str, ...]) -> Verdict:
    if answer not in options:
        raise CheckError(f"{answer!r} is not one of {', '.join(options)}")
    return Verdict(answer, None, "", "a poll: every answer counts")


def judge_regime(check: dict, answer: str, catalog: Catalog) -> Verdict:
    model = check_model(check)
    if model.object not in catalog:
        raise CheckError(f"object {model.object} is not in the catalog")
    row = catalog.row_of(model.object)
    expected = str(catalog.regime[row])
    return Verdict(answer, answer == expected, expected,
                   f"{catalog.name[row].strip()}: apogee {catalog.apogee_alt_km[row]:,.0f} km, "
                   f"e {catalog.eccentricity[row]:.3f}, {catalog.mean_motion_rev_day[row]:.2f} rev/day")


def closest_object(check: dict, catalog: Catalog, start: datetime) -> tuple[int, float, datetime]:
    """(catalog number, miss distance km, time) of the object passing closest to the check's
    object in its window from ``start`` (screening against every object in the catalog)."""
    model = check_model(check)
    if model.object not in catalog:
        raise CheckError(f"object {model.object} is not in the catalog")
    for threshold_km in CLOSEST_THRESHOLDS_KM:
        result = screen_primaries(catalog, [model.object], start, model.within_h, threshold_km, step_s=CLOSEST_STEP_S)
        approaches = [a for a in result.approaches if model.object in (a.primary, a.secondary)]
        if approaches:
            break
    else:
        raise CheckError(f"nothing passes within {threshold_km:,.0f} km of {model.object} in {model.within_h:g} h")
    best = min(approaches, key=lambda a: a.miss_km)
    other = best.secondary if best.primary == model.object else best.primary
    return other, best.miss_km, best.tca


def judge_closest(check: dict, answer: int, catalog: Catalog, start: datetime) -> Verdict:
    other, miss_km, tca = closest_object(check, catalog, start)
    return Verdict(str(answer), answer == other, str(other), f"closest: {other} at {miss_km:,.1f} km, "
                   f"{tca:%Y-%m-%d %H:%M:%S}Z")


def judge_acknowledge(check: dict, elapsed_s: float) -> Verdict:
    model = check_model(check)
    return Verdict(f"{elapsed_s:.1f} s", elapsed_s <= model.within_s, f"within {model.within_s:g} s",
                   "acknowledged after the step began")


def judge_tasking(check: dict, target: int, feasible_passes: int, request_id: str = "") -> Verdict:
    """A request for ``target`` (its feasibility counted by ``app.tasking.feasibility``)."""
    model = check_model(check)
    right_target = target == model.target
    note = f"{request_id + ': ' if request_id else ''}target {target}, {feasible_passes} feasible " \
           f"pass{'' if feasible_passes == 1 else 'es'}"
    return Verdict(str(target), right_target and feasible_passes > 0,
                   f"target {model.target}, at least one feasible pass", note)


def judge(check: dict, answer, catalog: Catalog | None = None, start: datetime | None = None,
          elapsed_s: float | None = None) -> Verdict:
    """Any check but tasking (a request is judged where it is submitted: ``judge_tasking``).
    ``answer``: an option's text, a catalog number (closest approach), or anything for an
    acknowledgement (its time is ``elapsed_s``)."""
    kind = check_model(check).kind
    if kind in ("choice", "go_no_go"):
        return judge_choice(check, str(answer))
    if kind == "acknowledge":
        return judge_acknowledge(check, float(elapsed_s or 0.0))
    if kind == "tasking":
        raise CheckError("a tasking check is answered by submitting a tasking request")
    if catalog is None:
        raise CheckError(f"a {kind} check needs the catalog")
    if kind == "regime":
        return judge_regime(check, str(answer), catalog)
    try:
        number = int(answer)
    except (TypeError, ValueError):
        raise CheckError(f"{answer!r} is not a catalog number") from None
    return judge_closest(check, number, catalog, start)
