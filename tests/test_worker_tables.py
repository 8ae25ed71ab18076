"""A worker process knows every table: a foreign key into another package (publications.series_id →
series) must resolve there too, or every publication it touches fails (the SIGKILL tests caught it)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import autopost.worker
from autopost.db import Base
for table in Base.metadata.tables.values():
    for key in table.foreign_keys:
        key.column
print("ok")
"""


def test_the_worker_process_resolves_every_foreign_key() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
