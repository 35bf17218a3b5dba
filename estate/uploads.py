"""A scenario from an uploaded file: a whole scenario (TOML), or a buildings file (CSV, or a GIS layout: GeoJSON,
GeoPackage, or a Shapefile zipped with its sidecars, in the coordinate system the file states) that takes the
rest of its assumptions from a base scenario. Errors are InputErrors naming the upload."""

from __future__ import annotations

import tempfile
from pathlib import Path

from scenarios.layout import read_layout
from scenarios.loader import parse, validate
from scenarios.schema import Scenario
from scenarios.writer import to_data
from standards.errors import InputError

SUFFIXES = (".toml", ".csv", ".geojson", ".json", ".gpkg", ".zip")


def scenario_from_upload(name: str, data: bytes, base: Scenario, root: Path) -> Scenario:
    """The uploaded scenario, or ``base`` with the uploaded buildings (its layout file dropped). An uploaded
    scenario's ``[layout] file`` is looked up in ``root`` (the examples' folder)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{name}: must be a .toml scenario or a .csv / .geojson buildings file, a GeoPackage (.gpkg) "
                         "or a Shapefile zipped with its .shx, .dbf and .prj (.zip)")
    if suffix == ".toml":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{name}: is not UTF-8 text") from None
        return validate(parse(text, name), name, root)   # a [layout] file is looked up beside the examples
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        buildings = read_layout(path, name)
    fields = to_data(base) | {"buildings": [b.model_dump() for b in buildings], "name": f"{base.name} + {name}"}
    fields.pop("layout", None)
    return validate(fields, name, root)
