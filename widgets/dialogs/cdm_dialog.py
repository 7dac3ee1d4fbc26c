"""A Conjunction Data Message: its numbers, Foster's Pc with an adjustable hard-body
radius, and one click to watch the pair when both objects are in the catalog."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDoubleSpinBox, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.astro.timeutil import format_utc
from app.catalog import Catalog
from app.conjunction.cdm import Cdm
from app.conjunction.collision_probability import (HardBodyRadius, cdm_pc, hard_body_radius,
                                                   message_pc_radius_text)


def cdm_summary(cdm: Cdm, pc: float, radius: HardBodyRadius) -> str:
    message_pc = (f"{cdm.collision_probability:.3e} ({message_pc_radius_text(cdm)})"
                  if cdm.collision_probability is not None else "none")
    return (f"CDM {cdm.message_id or ''}: TCA {format_utc(cdm.tca)}, miss {cdm.miss_distance_km * 1000:.1f} m, "
            f"Pc (Foster, HBR {radius.describe()}) {pc:.3e}, Pc in message {message_pc}")


class CdmDialog(QDialog):
    watch_requested = Signal(int, int)

    def __init__(self, cdm: Cdm, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"CDM {cdm.message_id}")
        self.cdm, self.catalog = cdm, catalog
        self.first_radius = hard_body_radius(cdm)
        self.hbr = QDoubleSpinBox(minimum=0.1, maximum=1000.0, decimals=2, suffix=" m", value=self.first_radius.metres)
        self.hbr_source = QLabel()
        self.pc_label = QLabel()
        form = QFormLayout()
        o1, o2 = cdm.object1, cdm.object2
        speed = f"{cdm.relative_speed_km_s * 1000:.1f} m/s" if cdm.relative_speed_km_s is not None else "—"
        for title, text in (("Source", cdm.source), ("Originator", cdm.originator), ("TCA", format_utc(cdm.tca)),
                            ("Miss distance", f"{cdm.miss_distance_km * 1000:.1f} m"), ("Relative speed", speed),
                            ("Object 1", f"{o1.designator} {o1.name} ({o1.ref_frame})"),
                            ("Object 2", f"{o2.designator} {o2.name} ({o2.ref_frame})"),
                            ("Pc in the message", f"{cdm.collision_probability:.4e}" if cdm.collision_probability
                             is not None else "none"), ("Radius behind it", message_pc_radius_text(cdm))):
            form.addRow(title, QLabel(text))
        form.addRow("Hard-body radius", self.hbr)
        form.addRow("", self.hbr_source)
        form.addRow("Pc (Foster 2D)", self.pc_label)
        self.watch_button = QPushButton("Watch this pair")
        in_catalog = o1.norad_id in catalog and o2.norad_id in catalog if o1.norad_id and o2.norad_id else False
        self.watch_button.setEnabled(in_catalog)
        self.watch_button.setToolTip("" if in_catalog else "both objects must be in the loaded catalog")
        self.watch_button.clicked.connect(lambda: self.watch_requested.emit(o1.norad_id, o2.norad_id))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.watch_button)
        self.hbr.valueChanged.connect(self._recompute)
        self._recompute()

    def radius(self) -> HardBodyRadius:
        """The rule's radius until the operator changes it, then theirs."""
        first = self.first_radius
        return first if abs(self.hbr.value() - first.metres) < 1e-9 else hard_body_radius(self.cdm, self.hbr.value())

    def _recompute(self) -> None:
        radius = self.radius()
        self.pc = cdm_pc(self.cdm, radius.metres)
        self.hbr_source.setText(radius.describe())
        self.pc_label.setText(f"{self.pc:.4e} with HBR {radius.describe()}")
