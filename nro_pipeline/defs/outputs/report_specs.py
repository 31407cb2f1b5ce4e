"""The reports' asset specs: the yearly HTML page and the XLSX workbook, downstream of the marts.

Both read the warehouse read-only and write files outside it (`NRO_REPORTS_DIR`, default
`data/reports`; `NRO_EXPORTS_DIR`, default `data/exports`). They are written in one step with
the BI snapshot (`defs.outputs`), into the run's staging folders
(`WarehouseResource.output_folder`): the files reach their folders only when the run's warehouse
copy is swapped in, so a discarded run leaves no report.
"""

import dagster as dg

REPORTS_GROUP = "reports"
HTML_REPORT_KEY = dg.AssetKey(["reports", "html_report"])
XLSX_EXPORT_KEY = dg.AssetKey(["reports", "xlsx_export"])


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


# What the lists show besides the rule (docs/methodology.md, «Поддержка решений») and the labels of every coded value.
_DECISION_MARTS = ("mart_school_benchmark", "mart_vpr_objectivity", "dim_code_labels")
HTML_REPORT_MARTS = (
    "mart_low_results",
    "mart_school_clusters",
    "mart_partner_matches",
    "mart_isbsh",
    "mart_cohort_dynamics",
    "mart_indicators",
    *_DECISION_MARTS,
    "mart_similar_schools",
    "mart_list_outcomes",
    "mart_programme_effect",
)
XLSX_EXPORT_MARTS = (
    "mart_low_results",
    "mart_school_clusters",
    "mart_partner_matches",
    "mart_risk_profiles",
    "mart_indicators",
    *_DECISION_MARTS,
)


HTML_REPORT_SPEC = dg.AssetSpec(
    HTML_REPORT_KEY,
    kinds={"html"},
    description=(
        "Static HTML report and site of the year (data/reports/<year>/index.html): counts, "
        "the share of listed schools over the years, ISBSh × result index by cluster, the map, "
        "the list (with benchmark and VPR objectivity), the schools under question, the "
        "difference from the published list, the partner pairs, totals by municipality and "
        "cohort dynamics, with a page per school (similar schools linked) and per "
        "municipality; opens offline."
    ),
    deps=[mart_key(name) for name in HTML_REPORT_MARTS],
    group_name=REPORTS_GROUP,
)
XLSX_EXPORT_SPEC = dg.AssetSpec(
    XLSX_EXPORT_KEY,
    kinds={"excel"},
    description=(
        "XLSX workbook of the year for officials (data/exports/nro_<year>.xlsx), ready to print "
        "on A4: the list, schools under question, the difference from the published list, "
        "clusters, partners, risks, municipalities, indicators, method and sources — the same "
        "as `nro export --year Y`."
    ),
    deps=[mart_key(name) for name in XLSX_EXPORT_MARTS],
    group_name=REPORTS_GROUP,
)
