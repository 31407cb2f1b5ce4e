"""GX Core imported without executing two packages it imports for expectations the suites never use.

`great_expectations` imports every expectation it ships; one of them (KL divergence) imports
scipy.stats and altair, about 1 s of GX's 2.6 s import on every run that validates a file. Both
are registered as deferred modules first: `import` statements find them, and the first attribute
read executes the real module, so code that does use them gets exactly what it would have.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

# What the KL-divergence expectation imports at module level and only uses when it runs.
DEFERRED_BY_GX = ("scipy.stats", "altair")

_loading = threading.Lock()


class DeferredModule(types.ModuleType):
    """Stands in `sys.modules` for a module not yet executed; reading an attribute executes it."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(_execute(self), attribute)


def _execute(stand_in: DeferredModule) -> types.ModuleType:
    with _loading:  # one thread swaps the stand-in out; another then finds the real module
        if sys.modules.get(stand_in.__name__) is stand_in:
            del sys.modules[stand_in.__name__]
        return importlib.import_module(stand_in.__name__)


def defer_module(name: str) -> None:
    """Register `name` as deferred unless it is imported already (or not installed)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stand_in = DeferredModule(name)
    # `import name` only reads the spec of a module found in sys.modules (to see whether it is
    # still being initialised): the real spec lets that pass without executing anything.
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in


def import_great_expectations() -> types.ModuleType:
    for name in DEFERRED_BY_GX:
        defer_module(name)
    import great_expectations

    return great_expectations
