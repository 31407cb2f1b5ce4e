"""The baseline a regional analyst would write: `fct_procedure_results` and `mart_low_results`
in plain pandas, straight from the landing CSVs (the rules of docs/methodology.md, «Методика и
параметры», at their default parameters).

It does what the two marts need and nothing else: no validation, no quarantine, no history, no
ISBSh, clusters or partners — so it is a generous baseline for the pipeline to beat.

    python bench/pandas_baseline.py LANDING_DIR OUT_DIR [--years 2019-2024]

Reads the landing files as `nro sample` writes them in either benchmark style: canonical UTF-8
CSVs (`csv_utf8`), or the mixed formats of real exports (`mixed`): UTF-8 with or without BOM or
Windows-1251 (tried in that order on the file's start), `,`, `;` or tab (the one the header line
has most of; `;` files use a decimal comma), or an XLSX's first sheet (pandas' calamine engine).
Russian headers are renamed to the contract's names, and then Russian codes («математика»,
«основная») to the contract's codes, per distinct value — what an analyst's script would hard-code.
Writes OUT_DIR/fct_procedure_results.parquet and OUT_DIR/mart_low_results.parquet.
"""

from __future__ import annotations

import argparse
import codecs
import sys
from pathlib import Path

import pandas as pd

from nro_pipeline.lib.contract.file_kinds import CODED_VALUES, FILE_KINDS, normalise_label

SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"
LOW_SHARE_THRESHOLD = (3, 10)  # 0.30 as a fraction, compared exactly: failed * 10 >= n * 3
MIN_PARTICIPANTS = 5
CRITERION1_MIN_PROCEDURES = 2
PERSISTENCE_YEARS = 5
EXAM_ORDER = {"VPR": 1, "OGE": 2, "EGE": 3}


def _years(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def _header_names(kind_name: str) -> dict[str, str]:
    """Normalised header (English, Russian or alias) → the contract's column name."""
    kind = FILE_KINDS[kind_name]
    names = {normalise_label(c.name): c.name for c in kind.columns}
    names.update({normalise_label(c.russian): c.name for c in kind.columns})
    names.update({normalise_label(a): c for a, c in kind.aliases.items()})
    return names


def _csv_dialect(path: Path) -> tuple[str, str, list[str]]:
    """Encoding, delimiter and header cells of a landing CSV, from its first 64 KiB."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    try:
        # An incremental decoder: a character cut at the end of the sample is not an error.
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        text, encoding = head.decode("cp1251"), "cp1251"
    first_line = text.splitlines()[0] if text else ""
    delimiter = max((";", "\t", ","), key=first_line.count)
    return encoding, delimiter, first_line.split(delimiter)


def read_landing(
    landing: Path, year: int, kind_name: str, dtype: dict[str, object] | type
) -> pd.DataFrame:
    """One landing file (CSV or XLSX, either style) with the contract's column names and codes;
    `dtype` is keyed by those names (or one type for every column)."""
    names = _header_names(kind_name)
    csv_path = landing / str(year) / f"{kind_name}.csv"
    if csv_path.exists():
        encoding, delimiter, header = _csv_dialect(csv_path)
        canonical = {h: names.get(normalise_label(h), h) for h in header}
        types = (
            dtype
            if not isinstance(dtype, dict)
            else {h: dtype[c] for h, c in canonical.items() if c in dtype}
        )
        frame = pd.read_csv(
            csv_path,
            sep=delimiter,
            encoding=encoding,
            decimal="," if delimiter == ";" else ".",
            dtype=types,
        )
    else:
        frame = pd.read_excel(
            landing / str(year) / f"{kind_name}.xlsx",
            engine="calamine",
            dtype=dtype if not isinstance(dtype, dict) else None,
        )
        canonical = {h: names.get(normalise_label(str(h)), h) for h in frame.columns}
    frame = frame.rename(columns=canonical)
    if any(h != c for h, c in canonical.items()):  # Russian headers come with Russian codes
        for column in FILE_KINDS[kind_name].columns:
            if column.coded and not column.many and column.name in frame:
                codes = {
                    normalise_label(f): c
                    for c, fs in CODED_VALUES[column.coded].items()
                    for f in (c, *fs)
                }
                values = frame[column.name]
                found = {v: codes.get(normalise_label(v), v) for v in values.dropna().unique()}
                frame[column.name] = values.map(found)
    return frame


def vpr_counts(landing: Path, year: int) -> pd.DataFrame:
    vpr = read_landing(landing, year, "vpr_results", {"school_id": str, "subject": str})
    return pd.DataFrame(
        {
            "school_id": vpr["school_id"],
            "year": year,
            "exam": "VPR",
            "subject": vpr["subject"],
            "grade": vpr["grade"].astype("Int64"),
            "participants": vpr["participants"],
            "failed": vpr["mark_2"],
            "excluded_participants": 0,
        }
    )


def gia_counts(landing: Path, year: int, min_scores: pd.DataFrame) -> pd.DataFrame:
    gia = read_landing(
        landing,
        year,
        "gia_results",
        {"participant_id": str, "school_id": str, "exam": str, "subject": str},
    )
    minimum = min_scores[(min_scores["from_year"] <= year) & (min_scores["to_year"] >= year)]
    gia = gia.merge(minimum[["exam", "subject", "min_score"]], on=["exam", "subject"], how="left")
    gia["counted"] = (gia["attempt"] == "main") & (gia["category"] == "current")
    # A mark decides when there is one; otherwise the score below the year's minimum.
    gia["is_failed"] = (
        gia["mark"]
        .eq(2)
        .where(gia["mark"].notna(), (gia["score"] < gia["min_score"]).fillna(False))
    )
    keys = ["school_id", "exam", "subject"]
    counted = gia[gia["counted"]]
    out = (
        gia.groupby(keys)
        .agg(excluded_participants=("counted", lambda c: int((~c).sum())))
        .join(counted.groupby(keys)["participant_id"].nunique().rename("participants"))
        .join(
            counted[counted["is_failed"]].groupby(keys)["participant_id"].nunique().rename("failed")
        )
        .fillna({"participants": 0, "failed": 0})
        .reset_index()
    )
    out["year"] = year
    out["grade"] = pd.array([pd.NA] * len(out), dtype="Int64")
    return out


def fct_procedure_results(landing: Path, years: list[int]) -> pd.DataFrame:
    procedures = pd.read_csv(SEEDS / "procedures.csv", dtype={"grade": "Int64"})
    min_scores = pd.read_csv(SEEDS / "min_scores.csv")
    min_scores["to_year"] = min_scores["to_year"].fillna(9999)
    parts = []
    for year in years:
        parts.append(vpr_counts(landing, year))
        parts.append(gia_counts(landing, year, min_scores))
    counts = pd.concat(parts, ignore_index=True)
    fct = counts.merge(procedures, on=["exam", "subject", "grade"], how="inner")
    fct["participants"] = fct["participants"].astype(int)
    fct["failed"] = fct["failed"].astype(int)
    fct["low_share"] = fct["failed"] / fct["participants"].where(fct["participants"] > 0)
    fct["small_n"] = fct["participants"] < MIN_PARTICIPANTS
    num, den = LOW_SHARE_THRESHOLD
    fct["is_low"] = (
        (fct["participants"] >= MIN_PARTICIPANTS)
        & (fct["participants"] > 0)
        & (fct["failed"] * den >= fct["participants"] * num)
    )
    return fct


def mart_low_results(landing: Path, years: list[int], fct: pd.DataFrame) -> pd.DataFrame:
    schools = pd.concat(
        [read_landing(landing, y, "schools", str).assign(year=y) for y in years],
        ignore_index=True,
    )[["school_id", "year", "school_name", "municipality"]]
    low = fct[fct["in_selection"] & fct["is_low"]].copy()
    low["order"] = low["exam"].map(EXAM_ORDER)
    low = low.sort_values(["school_id", "year", "order", "grade", "procedure_id"])
    per_year = (
        low.groupby(["school_id", "year"])
        .agg(
            low_procedures=("procedure_id", "size"),
            low_procedure_names=("procedure_name", ", ".join),
        )
        .reset_index()
    )
    mart = schools.merge(per_year, on=["school_id", "year"], how="left")
    mart["low_procedures"] = mart["low_procedures"].fillna(0).astype(int)
    mart["criterion_1"] = mart["low_procedures"] >= CRITERION1_MIN_PROCEDURES
    # Criterion 2: a low year in each of Y-4 … Y; a year without data is not a low year.
    low_years = set(zip(per_year["school_id"], per_year["year"], strict=True))
    mart["criterion_2"] = [
        all((school, year - k) in low_years for k in range(PERSISTENCE_YEARS))
        for school, year in zip(mart["school_id"], mart["year"], strict=True)
    ]
    mart["on_initial_list"] = mart["criterion_1"] | mart["criterion_2"]
    reasons = []
    for row in mart.itertuples(index=False):
        parts = []
        if row.criterion_1:
            parts.append(
                f"критерий 1: низкие результаты по {row.low_procedures} процедурам "
                f"({row.low_procedure_names})"
            )
        if row.criterion_2:
            parts.append(
                f"критерий 2: низкие результаты {PERSISTENCE_YEARS} лет подряд "
                f"({row.year - PERSISTENCE_YEARS + 1}–{row.year})"
            )
        reasons.append("; ".join(parts) or None)
    mart["reasons"] = reasons
    return mart


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--years", type=_years, required=True, help="e.g. 2019-2024")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    fct = fct_procedure_results(args.landing, args.years)
    fct.to_parquet(args.out / "fct_procedure_results.parquet", index=False)
    mart = mart_low_results(args.landing, args.years, fct)
    mart.to_parquet(args.out / "mart_low_results.parquet", index=False)
    listed = mart[mart["on_initial_list"]].groupby("year").size().to_dict()
    print(f"pandas: {len(fct)} procedure rows; schools on the initial list by year: {listed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
