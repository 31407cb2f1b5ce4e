"""`nro` as a command leaves without finalising its modules (`cli.console_main`), and still keeps
what a normal exit guarantees: main's exit code, everything printed, the atexit handlers run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import atexit, sys
from pathlib import Path
from nro_pipeline import cli

marker = Path(sys.argv[1])
atexit.register(marker.write_text, "ran")

def main():
    print("the run's summary")  # stdout is a pipe here: block-buffered until flushed
    print("a warning", file=sys.stderr)
    return 3

cli.main = main
cli.console_main()
raise AssertionError("console_main returned")
"""


def test_console_exit_keeps_code_output_and_atexit(tmp_path: Path) -> None:
    marker = tmp_path / "atexit.txt"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(marker)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout == "the run's summary\n"
    assert "a warning" in done.stderr
    assert "console_main returned" not in done.stderr
    assert marker.read_text() == "ran"
