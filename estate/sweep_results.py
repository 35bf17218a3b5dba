"""A sweep's results file: ``DIR/results.parquet``, a parquet *dataset folder* holding one part file per
finished variant (``part-<variant id>.parquet``). Each part is written under a hidden temporary name,
flushed to disk and renamed into place, so a crash mid-write leaves at most a hidden temporary file (which
readers ignore) and never a torn row; a part once written is never opened for writing again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

from standards.errors import InputError

RESULTS = "results.parquet"


def output_schema():
    """The columns after the inputs (see the README's table of results.parquet)."""
    import pyarrow as pa

    election = pa.struct([("community", pa.string()), ("p10", pa.int32()), ("p50", pa.int32()), ("p90", pa.int32()),
                          ("elected_replications", pa.int32())])
    payer = pa.struct([("payer", pa.string()), ("amount_cny", pa.float64())])
    return [("status", pa.string()), ("error", pa.string()), ("replications", pa.int32()), ("completed", pa.int32()),
            ("communities", pa.int32()), ("plan_status", pa.string()), ("election", pa.list_(election)),
            ("election_p50_first", pa.int32()), ("election_p50_last", pa.int32()), ("peak_staff", pa.int32()),
            ("staff_full_plan", pa.int32()), ("office_required_m2", pa.float64()),
            ("office_shortfall_m2", pa.float64()), ("facilities_opened", pa.int32()), ("facilities", pa.string()),
            ("budget_10y_cny", pa.float64()), ("budget_10y_by_payer", pa.list_(payer)),
            ("failed_rules", pa.list_(pa.string())), ("failed_rule_count", pa.int32())]


def input_type(values: Sequence[Any]):
    import pyarrow as pa

    if all(isinstance(v, bool) for v in values):
        return pa.bool_()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pa.int64()
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return pa.float64()
    return pa.string()


def write_part(folder: Path, row: dict[str, Any], schema) -> Path:
    """One variant's row as ``part-<id>.parquet``: written to a hidden temporary file, flushed to disk and
    renamed, so the part is either whole or absent."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"part-{row['variant']}.parquet"
    tmp = folder / f".part-{row['variant']}.parquet.tmp"
    values = {name: row.get(name) for name in schema.names}
    for name in schema.names:      # a string input column holds text of any value
        if pa.types.is_string(schema.field(name).type) and values[name] is not None and not isinstance(values[name], str):
            values[name] = str(values[name])
    table = pa.Table.from_pylist([values], schema=schema)
    try:
        with open(tmp, "wb") as fh:
            pq.write_table(table, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:            # an interrupt mid-write: no half file left behind (a kill may leave one)
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(folder)
    return final


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def finished_ids(folder: Path) -> set[str]:
    """Variants with a part file (whole, by construction)."""
    if not folder.is_dir():
        return set()
    return {p.name[len("part-"):-len(".parquet")] for p in folder.glob("part-*.parquet")}


def read_parts(out: Path | str, schema=None):
    """``DIR/results.parquet`` as a pyarrow Table, rows in the sweep's order (empty if none yet)."""
    import pyarrow.parquet as pq

    folder = Path(out) / RESULTS
    if not finished_ids(folder):
        if schema is None:
            raise InputError(f"{out}: holds no sweep results")
        return schema.empty_table()
    table = pq.read_table(folder, schema=schema)
    return table.sort_by("index")
