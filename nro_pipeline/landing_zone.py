"""The landing zone as a Dagster resource (`NRO_LANDING_DIR`, default `data/landing`)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field

from nro_pipeline import settings
from nro_pipeline.file_kinds import FileKind
from nro_pipeline.landing_reader import find_landing_file


class LandingZoneResource(dg.ConfigurableResource):
    """Folder with one sub-folder per results year holding the four extracts."""

    path: str = Field(
        default_factory=lambda: str(settings.landing_dir()),
        description="Root of the landing zone: <root>/<year>/<kind>.csv|xlsx.",
    )

    def file_for(self, year: int, kind: FileKind) -> Path:
        return find_landing_file(Path(self.path), year, kind)
