"""Details of the selected object: elements, orbit, current state, provenance, marking."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from app.astro.sun import sun_direction_eci
from app.astro.timeutil import format_utc
from app.astro.topocentric import in_earth_shadow
from app.catalog.catalog import STALE_ELEMENT_AGE_DAYS, Catalog
from app.live.engine import Snapshot
from app.common.explanations import ELEMENTS, regime_text
from widgets.panels.element_history_plot import ElementHistoryPlot
from widgets.theme import STATUS_COLORS

FIELDS = (
    ("name", "Name"), ("norad_id", "NORAD"), ("intl_designator", "Int'l designator"),
    ("object_type", "Type"), ("owner_state", "Owner state"), ("regime", "Regime"),
    ("marking", "Marking"),
    ("epoch", "Element epoch"), ("age", "Element age"),
    ("inclination", "Inclination"), ("eccentricity", "Eccentricity"), ("raan", "RAAN"),
    ("arg_perigee", "Arg. of perigee"), ("mean_anomaly", "Mean anomaly"), ("mean_motion", "Mean motion"),
    ("bstar", "B*"), ("period", "Period"), ("apogee", "Apogee altitude"), ("perigee", "Perigee altitude"),
    ("position", "Lat / lon"), ("altitude", "Altitude"), ("speed", "Speed (inertial)"),
    ("illumination", "Illumination"),
    ("state_epoch", "State at"), ("source", "Source"),
)


class DetailsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QFormLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.values: dict[str, QLabel] = {}
        for key, title in FIELDS:
            label = QLabel("—")
            label.setWordWrap(True)
            label.setObjectName(f"detail_{key}")
            self.values[key] = label
            layout.addRow(title, label)
            if key in ELEMENTS:  # what the term means, on hover over its name or its value
                label.setToolTip(ELEMENTS[key])
                layout.labelForField(label).setToolTip(ELEMENTS[key])
        self.history_plot = ElementHistoryPlot()
        layout.addRow(self.history_plot)
        self.catalog: Catalog | None = None
        self.row: int | None = None
        self.flags: dict[int, str] = {}  # possible maneuvers flagged at the last refresh
        self._history: tuple = (None, None, [])  # (norad, ObjectHistory, refresh times) last shown

    def show_object(self, catalog: Catalog, row: int | None, at: datetime) -> None:
        self.catalog, self.row = catalog, row
        if row is None:
            for label in self.values.values():
                label.setText("—")
            return
        c = catalog
        self._set("name", c.name[row] or "(no name)")
        self._set("norad_id", str(c.norad_id[row]))
        self._set("intl_designator", c.intl_designator[row] or "—")
        self._set("object_type", c.object_type[row])
        self._set("owner_state", c.owner_state[row] or "unknown")
        self._set("regime", c.regime[row])
        self._set("marking", c.marking(row))
        span = c.ephemeris_span_text(row)
        self._set("epoch", f"ephemeris (OEM): {span}" if span else format_utc(c.epoch_utc(row)))
        self.values["epoch"].setToolTip(  # (the elements shown below are then fitted to the ephemeris)
            f"States from the operator's ephemeris, never extrapolated; the mean elements below are fitted to it "
            f"at {format_utc(c.epoch_utc(row))}" if span else "")
        self._set("inclination", f"{c.inclination_deg[row]:.4f}°")
        self._set("eccentricity", f"{c.eccentricity[row]:.7f}")
        self._set("raan", f"{c.raan_deg[row]:.4f}°")
        self._set("arg_perigee", f"{c.arg_perigee_deg[row]:.4f}°")
        self._set("mean_anomaly", f"{c.mean_anomaly_deg[row]:.4f}°")
        self._set("mean_motion", f"{c.mean_motion_rev_day[row]:.8f} rev/day")
        self._set("bstar", f"{c.bstar[row]:.4e}")
        self._set("period", f"{c.period_min[row]:.2f} min")
        self._set("apogee", f"{c.apogee_alt_km[row]:,.1f} km")
        self._set("perigee", f"{c.perigee_alt_km[row]:,.1f} km")
        self.values["regime"].setToolTip(regime_text(str(c.regime[row]), float(c.apogee_alt_km[row]),
                                                     float(c.perigee_alt_km[row]), float(c.period_min[row]),
                                                     float(c.eccentricity[row])))
        self._set("source", f"{Path(str(c.source_file[row])).name} ({c.source_location[row]})")
        self.values["source"].setToolTip(str(c.source_file[row]))
        self.update_age(at)

    def update_age(self, at: datetime) -> None:
        if self.catalog is None or self.row is None:
            return
        label = self.values["age"]
        ephemeris = self.catalog.ephemeris(self.row)
        if ephemeris is not None:  # an operator's ephemeris: what matters is whether the clock is inside it
            stale = not any(start <= at <= stop for start, stop in ephemeris.useable_spans_utc)
            label.setText("OUTSIDE ITS EPHEMERIS: no state" if stale else "inside its ephemeris")
        else:
            age = float(self.catalog.element_age_days(at)[self.row])
            stale = abs(age) > STALE_ELEMENT_AGE_DAYS
            label.setText(f"{age:.2f} days" + ("  (STALE)" if stale else ""))
        label.setStyleSheet(f"color: {STATUS_COLORS['caution']}; font-weight: bold;" if stale else "")

    def update_state(self, snapshot: Snapshot) -> None:
        row = self.row
        if row is None or self.catalog is None or snapshot.catalog_version != self.catalog.version:
            return
        if not snapshot.valid[row]:
            self._set("position", f"no state: {self.catalog.no_state_reason(row, int(snapshot.sgp4_error[row]))}")
            for key in ("altitude", "speed", "illumination"):
                self._set(key, "—")
        else:
            lat, lon = snapshot.lat_deg[row], snapshot.lon_deg[row]
            self._set("position", f"{abs(lat):.3f}° {'N' if lat >= 0 else 'S'}  {abs(lon):.3f}° {'E' if lon >= 0 else 'W'}")
            self._set("altitude", f"{snapshot.alt_km[row]:,.1f} km")
            self._set("speed", f"{np.linalg.norm(snapshot.v_teme_km_s[row]):.3f} km/s")
            shadowed = bool(in_earth_shadow(snapshot.r_teme_km[row], sun_direction_eci(snapshot.jd, snapshot.fr)))
            self._set("illumination", "in the Earth's shadow" if shadowed else "sunlit")
        self._set("state_epoch", format_utc(snapshot.epoch))
        if self.catalog.ephemeris(row) is not None:  # inside its span or not: as the state says, even paused
            self.update_age(snapshot.epoch)

    def text_of(self, key: str) -> str:
        return self.values[key].text()

    def _set(self, key: str, text: str) -> None:
        self.values[key].setText(text)

    def bind(self, session) -> None:
        """Show the session's selected object, its state at each snapshot and its element age."""
        def show(*_args) -> None:
            self.show_object(session.catalog, session.selected_row, session.now())
            if session.latest is not None:
                self.update_state(session.latest)

        session.catalog_changed.connect(show)
        session.state.connect("selection.objects", show)
        session.snapshot_ready.connect(self.update_state)
        session.second.connect(self.update_age)

        def show_history(norad_id, kept, refreshes) -> None:  # read off the GUI thread by the history keeper
            if norad_id == session.selected_norad:
                self._history = (norad_id, kept, refreshes)
                self.history_plot.show_history(kept, refreshes, norad_id in self.flags)

        def note_flags(flags: dict) -> None:
            self.flags = dict(flags)
            norad_id, kept, refreshes = self._history
            if norad_id == session.selected_norad:
                self.history_plot.show_history(kept, refreshes, norad_id in self.flags)

        session.object_history_ready.connect(show_history)
        session.maneuver_flags_changed.connect(note_flags)
