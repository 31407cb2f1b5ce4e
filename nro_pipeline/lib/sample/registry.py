"""Rows of the registry of schools (`schools` file) for one year."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from nro_pipeline.lib.sample.population import Population


def registry_rows(population: Population, year: int) -> Iterator[dict[str, Any]]:
    merger = population.merger
    for i in np.flatnonzero(population.active(year)).tolist():
        located = bool(population.has_coordinates[i])
        merged_now = merger is not None and merger.old == i and merger.year == year
        yield {
            "school_id": population.ids[i],
            "school_name": population.names[i],
            "municipality": population.municipalities[population.municipality[i]].name,
            "locality_type": "city" if population.urban[i] else "rural",
            "levels": population.levels[i],
            "latitude": float(population.lat[i]) if located else None,
            "longitude": float(population.lon[i]) if located else None,
            "successor_id": population.ids[merger.successor] if merged_now else None,
        }
