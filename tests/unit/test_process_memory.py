"""Memory is handed back before dbt starts only when the process holds enough to matter."""

from __future__ import annotations

import pytest

from nro_pipeline.lib import process_memory


def test_resident_size_is_read() -> None:
    resident = process_memory.resident_bytes()
    assert resident is not None and 10 << 20 < resident < 64 << 30


@pytest.mark.parametrize(("threshold", "collected"), [(0, True), (1 << 50, False)])
def test_release_only_above_the_threshold(
    monkeypatch: pytest.MonkeyPatch, threshold: int, collected: bool
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(process_memory, "RELEASE_FROM_BYTES", threshold)
    monkeypatch.setattr(process_memory.gc, "collect", lambda: calls.append("gc") or 0)
    process_memory.release_unused_memory()
    assert calls == (["gc"] if collected else [])
