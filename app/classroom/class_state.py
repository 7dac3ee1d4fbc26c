"""What an instructor publishes to the class: a plain JSON snapshot of the parts of the
``ConsoleState`` a class follows (clock, selection, camera, shown group, colour mode), the
trainees' layout preset, the class mode and the lesson step.

The clock part says where the simulation clock was at the instant the snapshot was sent
(``sent_utc``, the instructor's wall clock, kept beside it): a follower extrapolates from
there at ``rate``, so its epoch runs on continuously between snapshots. That assumes the
consoles' wall clocks agree (NTP, as on any ops floor); an offset of d seconds puts a
follower d × rate simulation seconds off.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.classroom.lesson import CLASS_MODES
from app.state.console_state import COLOR_MODES, CameraState, CatalogNumber, ClockState, ConsoleState, GroupFilter

FORMAT = "spaceops-class-state"
FORMAT_VERSION = 1
MODES = CLASS_MODES + ("closed",)  # closed: the last snapshot of a class
LAYOUTS = ("trainee", "console")
MAX_NOTICE_CHARS = 2000
NOTICES_KEPT = 10  # the newest notices ride on every state, so a follower that missed one still sees it  # the trainee's simpler layout, or the full console's


class ClassStateError(ValueError):
    pass


class _Shown(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: Annotated[str, Field(max_length=128)] = "All objects"
    group_filter: GroupFilter = Field(default_factory=GroupFilter)
    color_mode: Literal[COLOR_MODES] = "Object type"  # type: ignore[valid-type]


class Notice(BaseModel):
    """A message from the instructor (or the lesson's scenario) to the class."""
    model_config = ConfigDict(extra="ignore")
    id: Annotated[int, Field(ge=1)]
    text: Annotated[str, Field(min_length=1, max_length=MAX_NOTICE_CHARS)]
    sent_utc: str
    source: Annotated[str, Field(max_length=64)] = "instructor"


class _Snapshot(BaseModel):
    """The checks a received snapshot passes before it is applied (ConsoleState's own models)."""
    model_config = ConfigDict(extra="ignore")  # a newer instructor's extra parts are left aside
    format: Literal["spaceops-class-state"]
    format_version: Annotated[int, Field(ge=1, le=FORMAT_VERSION)]
    mode: Literal[MODES]  # type: ignore[valid-type]
    step: Annotated[int, Field(ge=0)]
    prompt: str = ""
    layout: Literal[LAYOUTS] = "trainee"  # type: ignore[valid-type]
    clock: ClockState
    selection: tuple[CatalogNumber, ...] = ()
    watch_pair: tuple[CatalogNumber, CatalogNumber] | None = None  # (primary, secondary) the instructor watches
    camera: CameraState = Field(default_factory=CameraState)
    shown: _Shown = Field(default_factory=_Shown)
    check: dict | None = None  # the step's check (app.classroom.lesson), judged by the trainee's console
    notices: tuple[Notice, ...] = ()
    scenario: str | None = None  # a bundled scenario's file name: the trainees' consoles open it too


def snapshot(console: ConsoleState, mode: str, step: int, prompt: str = "", layout: str = "trainee",
             check: dict | None = None, notices: tuple[dict, ...] = (), scenario: str | None = None) -> dict:
    """The class's state from the instructor's console (its clock epoch as of sending)."""
    view = console.model_dump(mode="json", include={"clock", "selection", "camera", "shown"})
    shown = view["shown"]
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "mode": mode, "step": step, "prompt": prompt,
            "layout": layout, "clock": view["clock"], "selection": view["selection"]["objects"],
            "watch_pair": view["selection"]["watch_pair"],
            "camera": view["camera"], "shown": {k: shown[k] for k in ("group", "group_filter", "color_mode")},
            "check": check, "notices": list(notices[-NOTICES_KEPT:]), "scenario": scenario}


def checked(state: object) -> dict:
    """A received snapshot, validated and completed with defaults (ClassStateError naming the
    field otherwise)."""
    try:
        model = _Snapshot.model_validate(state)
    except ValidationError as error:
        first = error.errors()[0]
        raise ClassStateError(f"{'.'.join(map(str, first['loc'])) or 'state'}: {first['msg']}") from None
    if model.clock.epoch_utc is None and model.clock.mode == "replay":
        raise ClassStateError("clock.epoch_utc: a replay clock needs its epoch")
    return model.model_dump(mode="json")


def apply(console: ConsoleState, state: dict) -> None:
    """Take the snapshot's clock, selection, camera, group and colour mode, as one batch."""
    with console.batch():
        console.clock = ClockState.model_validate(state["clock"])
        console.selection.objects = tuple(state["selection"])
        pair = state.get("watch_pair")
        console.selection.watch_pair = tuple(pair) if pair else None
        console.camera = CameraState.model_validate(state["camera"])
        console.shown.group = state["shown"]["group"]
        console.shown.group_filter = GroupFilter.model_validate(state["shown"]["group_filter"])
        console.shown.color_mode = state["shown"]["color_mode"]


def wall_now() -> datetime:
    """The wall clock, aware UTC: the anchor of every extrapolation."""
    return datetime.now(timezone.utc)


def sim_epoch_at(clock: ClockState, anchor_utc: datetime, at_utc: datetime) -> datetime:
    """The simulation time at wall time ``at_utc`` of a clock that read ``clock.epoch_utc`` at
    wall time ``anchor_utc``: held when paused, running at ``rate`` otherwise; a live clock is
    the wall clock."""
    if clock.mode == "live" or clock.epoch_utc is None:
        return at_utc
    if clock.paused:
        return clock.epoch_utc
    return clock.epoch_utc + timedelta(seconds=clock.rate * (at_utc - anchor_utc).total_seconds())
