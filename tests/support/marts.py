"""The marts of SPEC §4 that every run fills, for tests comparing warehouses."""

MARTS = (
    "fct_procedure_results",
    "mart_low_results",
    "mart_persistence",
    "mart_isbsh",
    "isbsh_weights_fitted",
    "mart_school_clusters",
    "mart_partner_matches",
    "mart_cohort_dynamics",
    "mart_risk_profiles",
    "mart_indicators",
)
