import shutil
import sys
from pathlib import Path

import pytest

from standards.catalog import DATA_DIR

sys.path.insert(0, str(Path(__file__).resolve().parent))   # data_copy.edit, for the tests here


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the shipped standards data, to break on purpose."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy
