"""The main window's menus, and the small dialogs they open: catalog files, CDMs, saved
views, screenshots, the operator, the classification banner, the user guide. Every choice is
written to the session's state (or handed to the panel that owns it); nothing here draws."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenuBar, QMessageBox

from app import __version__
from app.catalog.ingest import CATALOG_SUFFIXES
from app.common.atomic_file import write_text_atomic
from app.common.resources import default_catalog_paths
from app.common.user_settings import UserSettings, save_settings
from app.conjunction.cdm import CdmError, read_cdm
from app.state import VIEW_FIELDS, ConsoleState, StateFileError
from widgets.catalog_loader import report
from widgets.dialogs.cdm_dialog import CdmDialog, cdm_summary
from widgets.dialogs.operator_dialog import OperatorDialog
from widgets.dialogs.user_guide_dialog import show_user_guide
from widgets.export_selected import export_selected_dialog
from widgets.views.point_style import COLOR_MODES

log = logging.getLogger(__name__)

VIEW_FILE_FILTER = "Console views (*.spaceops-view *.json);;All files (*)"
ABOUT_TEXT = f"""<b>Coalition Space Operations Console</b> {__version__}<br><br>
Orbital data: CelesTrak (Dr T.S. Kelso).<br>
Owner states: J. McDowell, GCAT, planet4589.org (CC-BY).<br>
Earth imagery: NASA Earth Observatory, Blue Marble Next Generation.<br>
Propagation: SGP4 (Vallado et al. 2006) through python-sgp4."""


def _add_action(window, menu, text, shortcut, slot, checkable: bool = False, checked: bool = False) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setCheckable(checkable)
    action.setChecked(checked)
    action.triggered.connect(lambda *_: slot())
    menu.addAction(action)
    return action


def _choice_menu(window, menu, title: str, choices: dict[str, str], state_path: str) -> None:
    """Checkable, exclusive entries that write ``state_path`` and follow it."""
    section, field = state_path.split(".")
    state = getattr(window.session.state, section)
    submenu, group = menu.addMenu(title), QActionGroup(window)
    actions = {}
    for value, text in choices.items():
        actions[value] = _add_action(window, submenu, text, None, lambda v=value: setattr(state, field, v),
                                     checkable=True, checked=getattr(state, field) == value)
        group.addAction(actions[value])
    window.session.state.connect(state_path, lambda value: actions[value].setChecked(True))


def build_menus(window) -> None:
    from widgets.classroom import join_class_dialog, open_class_dialog
    from widgets.dialogs.catalog_feed_dialog import catalog_feed_dialog
    from widgets.dialogs.changed_dialog import changed_dialog
    from widgets.export_briefing import export_briefing_dialog

    session, globe = window.session, window.globe
    menu_bar = window.menuWidget().findChild(QMenuBar)  # (window.menuBar() would replace the banner holder)
    file_menu = menu_bar.addMenu("&File")
    _add_action(window, file_menu, "&Open catalog…", QKeySequence.StandardKey.Open,
                lambda: open_catalog_dialog(window))
    _add_action(window, file_menu, "Add &ephemerides (OEM)…", None, lambda: add_ephemerides_dialog(window))
    _add_action(window, file_menu, "Load &default catalog", None, lambda: window.load_catalog(default_catalog_paths()))
    _add_action(window, file_menu, "Catalog &feed…", None, lambda: catalog_feed_dialog(window))
    _add_action(window, file_menu, "Open &CDM…", None, lambda: open_cdm_dialog(window))
    _add_action(window, file_menu, "&Export selected objects…", "Ctrl+E", lambda: export_selected_dialog(window))
    _add_action(window, file_menu, "Export &briefing…", "Ctrl+B", lambda: export_briefing_dialog(window))
    file_menu.addSeparator()
    _add_action(window, file_menu, "Save &view…", "Ctrl+Shift+V", lambda: save_view_dialog(window))
    _add_action(window, file_menu, "Open v&iew…", "Ctrl+Shift+O", lambda: open_view_dialog(window))
    _add_action(window, file_menu, "Save &screenshot…", "Ctrl+Shift+S", lambda: save_screenshot_dialog(window))
    _add_action(window, file_menu, "Operator and &database…", None, lambda: operator_dialog(window))
    file_menu.addSeparator()
    _add_action(window, file_menu, "&Quit", QKeySequence.StandardKey.Quit, window.close)

    view_menu = menu_bar.addMenu("&View")
    window.grid_action = _add_action(window, view_menu, "Latitude/longitude &grid", "G",
                                     lambda: globe.set_grid_visible(window.grid_action.isChecked()), checkable=True)
    window.follow_action = _add_action(window, view_menu, "&Follow selected object", "F",
                                       lambda: setattr(session.state.camera, "follow_selection",
                                                       window.follow_action.isChecked()), checkable=True)
    session.state.connect("camera.follow_selection", window.follow_action.setChecked)
    _add_action(window, view_menu, "&Reset camera", "R", globe.reset_camera)
    _add_action(window, view_menu, "Zoom to fi&t", "Z", window.globe_binding.zoom_to_fit)
    _add_action(window, view_menu, "Zoom &in", "Ctrl+=", lambda: globe.zoom(0.8))
    _add_action(window, view_menu, "Zoom &out", "Ctrl+-", lambda: globe.zoom(1.25))
    _choice_menu(window, view_menu, "&Colour by", {mode: mode for mode in COLOR_MODES}, "shown.color_mode")
    _add_action(window, view_menu, "Classification &banner…", None, lambda: banner_dialog(window))
    _add_action(window, view_menu, "C&hanged at the last refresh…", None, lambda: changed_dialog(window))
    window.sensors_action = _add_action(window, view_menu, "&Sensor sites", "S", lambda: _show_sensors(window),
                                        checkable=True, checked=True)
    _choice_menu(window, view_menu, "Colour sensors &by", {"type": "Sensor type", "nation": "Operator nation"},
                 "shown.sensor_color_mode")
    window.timeline_action = _add_action(window, view_menu, "&Timeline under the globe", "T",
                                         lambda: window.timeline.setVisible(window.timeline_action.isChecked()),
                                         checkable=True, checked=True)
    window.shadow_action = _add_action(window, view_menu, "&Dim objects in the Earth's shadow", "D",
                                       lambda: globe.points.set_shadow_dimming(
                                           0.3 if window.shadow_action.isChecked() else 1.0), checkable=True)
    class_menu = menu_bar.addMenu("C&lassroom")
    _add_action(window, class_menu, "&Open class…", None, lambda: open_class_dialog(window))
    _add_action(window, class_menu, "&Join class…", None, lambda: join_class_dialog(window))
    _add_action(window, class_menu, "&Leave or close the class", None, window.classroom.leave)
    view_menu.addSeparator()
    for dock in window.docks:
        view_menu.addAction(dock.toggleViewAction())
    help_menu = menu_bar.addMenu("&Help")
    _add_action(window, help_menu, "&User guide…", QKeySequence.StandardKey.HelpContents,
                lambda: show_user_guide(window))
    _add_action(window, help_menu, "&About", None, lambda: QMessageBox.about(window, "About", ABOUT_TEXT))


def _show_sensors(window) -> None:
    visible = window.sensors_action.isChecked()
    window.globe.set_sensors_visible(visible)
    window.map_view.set_sensors_visible(visible)


# --- files ---------------------------------------------------------------------------------------

def open_catalog_dialog(window) -> None:
    files, _ = QFileDialog.getOpenFileNames(window, "Open catalog files", "",
                                            f"Element sets and ephemerides ({_patterns(CATALOG_SUFFIXES)});;All files (*)")
    if files:
        window.load_catalog(files)


def _patterns(suffixes) -> str:
    return " ".join(f"*{suffix}" for suffix in sorted(suffixes))


def add_ephemerides_dialog(window) -> None:
    """Operators' ephemerides (CCSDS OEM) added to the catalog in use: each replaces the element
    set of the object it names, or joins as a new object."""
    files, _ = QFileDialog.getOpenFileNames(window, "Add ephemerides (CCSDS OEM)", "",
                                            "OEM (*.oem *.txt *.xml *.kvn);;All files (*)")
    if files:
        add_ephemerides(window, files)


def add_ephemerides(window, files) -> None:
    in_use = [str(p) for p in window.session.state.catalog.source_files]
    window.load_catalog(in_use + [str(f) for f in files if str(f) not in in_use])


def open_cdm(window, path: str) -> CdmDialog | None:
    """Read a CDM and show it; its pair can be put on the watchlist with the message's figures as a note."""
    session = window.session
    try:
        cdm = read_cdm(path)
    except CdmError as error:
        report(window, session.interactive, QMessageBox.Icon.Warning, "CDM not read", str(error))
        session.say(f"CDM not read: {error}", 15000)
        return None
    dialog = CdmDialog(cdm, session.catalog, window)
    dialog.watch_requested.connect(lambda a, b: session.watch_requested.emit(
        a, b, cdm_summary(cdm, dialog.pc, dialog.radius())))
    if session.interactive:
        dialog.show()
    return dialog


def open_cdm_dialog(window) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Open CDM", "", "CDM (*.cdm *.txt *.kvn *.xml);;All files (*)")
    if path:
        open_cdm(window, path)


def save_view(window, path: str | Path) -> None:
    """Time, selection, camera and filters, for a colleague (or this console) to open."""
    window.session.clock_sync.capture()
    write_text_atomic(Path(path), window.session.state.to_json(VIEW_FIELDS))
    window.session.say(f"View saved to {path}", 8000)


def open_view(window, path: str | Path) -> bool:
    """Go to a saved view; a bad or newer file is refused with the field named, nothing changed."""
    session = window.session
    try:
        view = ConsoleState.read(path)
    except StateFileError as error:
        report(window, session.interactive, QMessageBox.Icon.Warning, "View not opened", str(error))
        session.say(f"View not opened: {error}", 15000)
        return False
    session.state.apply(view)
    missing = [n for n in view.selection.objects if n not in session.catalog]
    session.say(f"View {Path(path).name} opened" + (f"; not in this catalog: {', '.join(map(str, missing))}"
                                                     if missing else ""), 15000)
    return True


def save_view_dialog(window) -> None:
    path, _ = QFileDialog.getSaveFileName(window, "Save view", "view.spaceops-view", VIEW_FILE_FILTER)
    if path:
        save_view(window, path)


def open_view_dialog(window) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Open view", "", VIEW_FILE_FILTER)
    if path:
        open_view(window, path)


def save_screenshot_dialog(window) -> None:
    path, _ = QFileDialog.getSaveFileName(window, "Save screenshot", "spaceops.png", "PNG images (*.png)")
    if path:
        window.save_screenshot(path)


# --- who and what marking ------------------------------------------------------------------------

def operator_dialog(window) -> None:
    dialog = OperatorDialog(window.user_settings, window.operator, window.on_floor, window)
    if dialog.exec() and dialog.result_settings is not None:
        save_database_settings(window, dialog.result_settings)


def save_database_settings(window, settings: UserSettings) -> None:
    """Save which database (and password file) to open; used from the next start. Who is at
    the console is not a setting: the database says."""
    changed = settings != window.user_settings
    save_settings(settings)
    window.user_settings = settings
    if changed:
        window.session.say("The new database settings are used from the next start.", 15000)


def banner_dialog(window) -> None:
    banner = window.session.state.banner
    text, ok = QInputDialog.getText(window, "Classification banner",
                                    "Marking shown above and below the console (e.g. SECRET//REL TO AUS, GBR, USA):",
                                    text=banner.marking)
    if ok and text.strip():
        banner.marking = text.strip().upper()
        window.settings.set_text("banner/text", banner.marking)
