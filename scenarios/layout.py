"""Read an estate layout (the buildings) from a file beside the scenario.

CSV: one row per building with the columns ``id, units, floor_area_m2, cluster, x, y,
delivery_month`` and optionally ``office_space_m2``, ``street_level_m2`` (any order; further columns
are ignored; an empty optional cell means not given); ``x``/``y`` are metres on a local grid.
GeoJSON, GeoPackage and Shapefile (``scenarios.gis``): features with the same names as attributes, in
the coordinate system the file states (or the scenario's ``[layout] crs``), reprojected to metres about
the layout's centre; footprint polygons are taken at their true centroid.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scenarios.messages import messages
from scenarios.schema import Building
from standards.errors import InputError

COLUMNS = ("id", "units", "floor_area_m2", "cluster", "x", "y", "delivery_month")
OPTIONAL = ("office_space_m2", "street_level_m2")   # read when present; empty means none (not given)
MAX_LAYOUT_BYTES = 50 * 2**20


def check_file(path: Path, label: str, max_bytes: int) -> None:
    """One clear line unless ``path`` is a readable, non-empty file of at most ``max_bytes``."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{label}: file not found") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    if path.is_dir():
        raise InputError(f"{label}: is a folder, not a file")
    if size == 0:
        raise InputError(f"{label}: is empty")
    if size > max_bytes:
        raise InputError(f"{label}: is {size / 2**20:.1f} MB; the limit is {max_bytes // 2**20} MB "
                         "(is it the right file?)")


def read_text(path: Path, label: str, max_bytes: int) -> str:
    """The file's text, or one clear line on why it cannot be a text file we read."""
    check_file(path, label, max_bytes)
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise InputError(f"{label}: is a binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError(f"{label}: is not UTF-8 text (line {line}); save it as UTF-8 "
                         "(files saved as GBK by Excel need re-saving as 'CSV UTF-8')") from None
    if not text.strip():
        raise InputError(f"{label}: is empty")
    return text


_INTEGER = ("units", "delivery_month")
_NUMBER = ("floor_area_m2", "x", "y", "office_space_m2", "street_level_m2")


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    """Numbers from CSV text (or JSON floats that are whole, for integer fields); anything that is not
    a number is left as it is, for validation to report."""
    out = dict(row)
    for key in _INTEGER + _NUMBER:
        if key not in out:
            continue
        value = out[key]
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                continue
        if isinstance(value, float) and key in _INTEGER and value.is_integer():
            value = int(value)
        out[key] = value
    if isinstance(out.get("id"), (int, float)) and not isinstance(out.get("id"), bool):
        out["id"] = str(out["id"])
    return out


def _building(row: dict[str, Any], label: str, where: str) -> tuple[Building | None, list[str]]:
    row = _typed(row)
    try:
        return Building.model_validate(row), []
    except ValidationError as exc:
        return None, [m.replace(f"{label}: ", f"{label}: {where} ", 1) for m in messages(exc, label)]


def read_csv(path: Path, label: str) -> list[Building]:
    text = read_text(path, label, MAX_LAYOUT_BYTES)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(f"{label}: missing column(s) {', '.join(missing)} "
                         f"(a layout CSV needs {', '.join(COLUMNS)}; found {', '.join(header) or 'no header'})")
    reader.fieldnames = header
    out: list[Building] = []
    errors: list[str] = []
    for n, row in enumerate(reader, start=2):
        if not any((v or "").strip() if isinstance(v, str) or v is None else any(x.strip() for x in v)
                   for v in row.values()):
            continue   # a blank row, or one of commas only, as spreadsheets export below the data
        if None in row:
            errors.append(f"{label}: line {n} has more cells than the header")
            continue
        cells = {k: (row[k] or "").strip() for k in COLUMNS}
        where = f"line {n} (id {cells['id'] or '?'}):"
        empty = [k for k, v in cells.items() if v == ""]
        if empty:
            errors.append(f"{label}: {where} {', '.join(empty)} is empty")
            continue
        cells |= {k: row[k].strip() for k in OPTIONAL if k in row and (row[k] or "").strip()}
        building, errs = _building(cells, label, where)
        errors += errs
        if building:
            out.append(building)
    if errors:
        raise InputError(errors)
    if not out:
        raise InputError(f"{label}: has a header but no buildings")
    return out


def read_geojson(path: Path, label: str, crs: str | None = None) -> list[Building]:
    """Buildings from a GeoJSON FeatureCollection (``scenarios.gis``: WGS84 unless it names a ``crs``)."""
    from scenarios import gis
    return gis.read(path, label, crs).buildings


def read_layout(path: Path, label: str, crs: str | None = None) -> list[Building]:
    """Buildings from ``path``, by its suffix: a CSV on a local grid, or a GIS file (``scenarios.gis``) in
    its own coordinate system or the scenario's ``[layout] crs``."""
    if path.suffix.lower() == ".csv":
        return read_csv(path, label)
    from scenarios import gis
    if crs is not None and gis.crs_problem(crs):
        return []   # the scenario's own check names [layout] crs and why; reading in a wrong CRS would only add noise
    return gis.read(path, label, crs).buildings


def write_csv(buildings: list[Building], path: Path) -> None:
    """Write buildings as a layout CSV that ``read_csv`` reads back unchanged."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        planned = any(b.office_space_m2 for b in buildings)
        street = any(b.street_level_m2 is not None for b in buildings)
        w.writerow(COLUMNS + (("office_space_m2",) if planned else ()) + (("street_level_m2",) if street else ()))
        for b in buildings:
            w.writerow([b.id, b.units, f"{b.floor_area_m2:g}", b.cluster, f"{b.x:.1f}", f"{b.y:.1f}", b.delivery_month]
                       + ([f"{b.office_space_m2:g}"] if planned else [])
                       + ([] if not street else ["" if b.street_level_m2 is None else f"{b.street_level_m2:g}"]))
