"""GX Data Docs of a file that breaks or warns: a static site per year and kind, linked from Dagster.

`<NRO_GX_DOCS_DIR or data/gx_docs>/<year>/<kind>/index.html`. Values of rules that must not show
them (participant ids that look like names: suite meta `mask_values`) are removed before rendering.
A file that passes gets no page (its check says so), and the page of its earlier failure goes.

GX's pages load Bootstrap, jQuery, Vega and its logo from CDNs as they open: offline (the centre's
network) they show unstyled, online they call home. Those references are taken out and a small
inline style keeps the tables readable; the pages' links stay (a click is the reader's choice).
"""

import re
import shutil
from pathlib import Path
from typing import Any

from nro_pipeline import settings

SITE_NAME = "nro"
_REMOTE_ASSET = re.compile(
    r'<link\b[^>]*\bhref="https?://[^"]*"[^>]*>'
    r'|<script\b[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>'
    r'|<img\b[^>]*\bsrc="https?://[^"]*"[^>]*>',
    re.IGNORECASE,
)
_OFFLINE_STYLE = (
    "<style>body{font-family:'Liberation Sans','DejaVu Sans',Arial,sans-serif;margin:16px;"
    "color:#1d2733}table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #d5dbe1;"
    "padding:3px 8px;text-align:left;vertical-align:top}.hide{display:none}"
    # the pass / fail marks were Font Awesome glyphs
    ".fa-check-circle::before{content:'\\2713';color:#2e7d32}"
    ".fa-times::before{content:'\\2717';color:#c62828;font-weight:bold}</style>"
)
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
    for page in site.rglob("*.html"):
        page.write_text(offline_page(page.read_text(encoding="utf-8")), encoding="utf-8")
    return site / "index.html"


def offline_page(html: str) -> str:
    """A Data Docs page without what it would fetch from the network, with a style of its own."""
    return _REMOTE_ASSET.sub("", html).replace("</head>", f"{_OFFLINE_STYLE}</head>", 1)
