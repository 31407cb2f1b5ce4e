"""GX Data Docs of a file that breaks or warns: a static site per year and kind, linked from Dagster.

`<NRO_GX_DOCS_DIR or data/gx_docs>/<year>/<kind>/index.html`. Values of rules that must not show
them (participant ids that look like names: suite meta `mask_values`) are removed before rendering.
A file that passes gets no page (its check says so), and the page of its earlier failure goes.
"""

import shutil
from pathlib import Path
from typing import Any

from nro_pipeline import settings

SITE_NAME = "nro"
_VALUE_KEYS = (
    "partial_unexpected_list",
    "unexpected_list",
    "partial_unexpected_counts",
    "partial_unexpected_index_list",
    "unexpected_index_list",
)


def gx_docs_root() -> Path:
    return Path(settings.gx_docs_dir()).resolve()


def site_dir(kind: str, year: int) -> Path:
    return gx_docs_root() / str(year) / kind


def remove_data_docs(kind: str, year: int) -> None:
    """The file now passes: an older page of its failures would mislead."""
    shutil.rmtree(site_dir(kind, year), ignore_errors=True)


def build_data_docs(context: Any, results: list[Any], kind: str, year: int) -> Path:
    """Render the run's validation results (GX ExpectationSuiteValidationResult) as Data Docs."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    site = site_dir(kind, year)
    shutil.rmtree(site, ignore_errors=True)  # only this run's results
    context.add_data_docs_site(
        site_name=SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": f"{site}/",
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    store = context.validation_results_store
    for key in store.list_keys():  # GX keeps its own unmasked copy of each run: replace it
        store.remove_key(key)
    for part, result in enumerate(results, start=1):
        for item in result.results:
            if (item.expectation_config.meta or {}).get("mask_values") and item.result:
                for value_key in _VALUE_KEYS:
                    item.result.pop(value_key, None)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=kind),
            run_id=RunIdentifier(run_name=f"{kind} {year}"),
            batch_identifier=f"{kind}_{year}_part{part}",
        )
        store.set(key, result)
    context.build_data_docs(site_names=[SITE_NAME])
    return site / "index.html"
