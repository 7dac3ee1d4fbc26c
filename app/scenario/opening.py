"""Opening a scenario file for a run: every problem in one pass (its fields, its catalog
files, and what it names: objects, sensors, catalog numbers), each as 'file:line: field:
reason', before anything runs. The CLI's ``scenario validate`` and ``scenario run`` and the
console's ``--scenario`` all open scenarios here, so they refuse the same files with the
same messages."""

from __future__ import annotations

from pathlib import Path

from app.catalog import Catalog
from app.scenario.format import ScenarioError, check_scenario_file
from app.scenario.references import reference_problems
from app.scenario.run import ScenarioRun, base_catalog, base_sensors


def open_scenario(path: str | Path, bundled_catalog: Catalog | None = None) -> ScenarioRun:
    """The scenario ready to run; ScenarioError listing every problem, in file order,
    otherwise. ``bundled_catalog``: the bundled catalog when it is already loaded."""
    checked = check_scenario_file(path)
    folder = Path(path).parent
    if checked.scenario is not None:
        return ScenarioRun(checked.scenario, folder, bundled_catalog)  # ScenarioError for what it names
    # the fields have errors: the references of the parts that are valid are checked too
    parts, catalog_ids, sensor_names = checked.parts, None, None
    files_found = parts.catalog is not None and all((folder / f).is_file() for f in parts.catalog.files)
    if files_found:
        catalog, _rejections, _more = base_catalog(parts.catalog, folder, bundled_catalog)
        catalog_ids = set(catalog.norad_id.tolist())
    if parts.sensors is not None:
        sensor_names = {s.name for s in base_sensors(parts.sensors)}
    problems = checked.problems + [checked.source.at(location, reason) for location, reason in
                                   reference_problems(parts, catalog_ids, sensor_names)]
    raise ScenarioError([text for _line, text in sorted(problems, key=lambda p: p[0])])
