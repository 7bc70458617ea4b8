import os
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True, scope="session")
def _cbecwatch_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Keep the jieba cache of the tests out of the developer's real data directory.
    os.environ.setdefault("CBECWATCH_HOME", str(tmp_path_factory.mktemp("cbecwatch-home")))
