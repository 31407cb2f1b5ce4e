"""`nro` — the command line. It drives the Dagster definitions; it holds no pipeline logic."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import yaml

from nro_pipeline import settings
from nro_pipeline.lib.process_exit import exit_without_teardown
from nro_pipeline.lib.sample.landing_writer import LandingFormat
from nro_pipeline.lib.sample.region import SCALES


def _years(text: str) -> list[int]:
    """`2023,2024`, `2019-2024` or a mix of both."""
    years: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            first, last = (int(p) for p in part.split("-", 1))
            years.update(range(first, last + 1))
        elif part:
            years.add(int(part))
    return sorted(years)


def _var(text: str) -> tuple[str, object]:
    name, _, value = text.partition("=")
    if not name or not _:
        raise argparse.ArgumentTypeError(f"--var takes NAME=VALUE, got {text!r}")
    return name.strip(), yaml.safe_load(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nro", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for add_command in (_add_sample, _add_run, _add_export, _add_dev, _add_publish, _add_docs):
        add_command(commands)
    _add_calibrate_isbsh(commands)
    _add_register_template(commands)
    return parser


Commands = argparse._SubParsersAction  # what add_subparsers returns


def _add_sample(commands: Commands) -> None:
    sample = commands.add_parser("sample", help="write a realistic synthetic landing zone")
    sample.add_argument("--out", type=Path, help="landing root (default: NRO_LANDING_DIR)")
    sample.add_argument(
        "--scale",
        choices=tuple(SCALES),
        default="region",
        help="size preset: " + ", ".join(f"{k} = {v:,} schools" for k, v in SCALES.items()),
    )
    sample.add_argument("--schools", type=int, help="number of schools (overrides --scale)")
    sample.add_argument("--years", type=_years, default=_years("2019-2024"))
    sample.add_argument("--seed", type=int, default=42)
    sample.add_argument(
        "--style",
        choices=("mixed", "canonical", *(f.value for f in LandingFormat)),
        default="mixed",
        help="file formats: mixed as real extracts arrive, canonical UTF-8 CSV, or one format",
    )


def _add_run(commands: Commands) -> None:
    run = commands.add_parser("run", help="validate and materialise every year end to end")
    run.add_argument("--landing", type=Path, help="landing root (default: NRO_LANDING_DIR)")
    run.add_argument("--warehouse", type=Path, help="DuckDB file (default: NRO_WAREHOUSE)")
    run.add_argument("--years", type=_years, help="e.g. 2023,2024 or 2019-2024 (default: all)")
    run.add_argument(
        "--var",
        type=_var,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="methodology parameter for dbt, e.g. --var persistence_years=2 (checked before the run)",
    )
    run.add_argument(
        "--preset",
        metavar="NAME|FILE",
        help="a region's method: presets/NAME.yml (fioko, fioko_2025, kemerovo, izhevsk, irkutsk, "
        "zernograd) or a preset file; each --var wins over it",
    )
    run.add_argument("--verbose", action="store_true", help="show Dagster's own log lines")
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="re-create the whole warehouse from the archive of landed files alone",
    )
    run.add_argument(
        "--as-of",
        type=datetime.fromisoformat,
        help="with --rebuild: the files as they had arrived at this time (ISO, UTC)",
    )


def _add_export(commands: Commands) -> None:
    export = commands.add_parser(
        "export",
        help="the year's marts as an XLSX workbook for officials, or every mart as Parquet",
    )
    export.add_argument("--year", type=int, help="results year, e.g. 2024 (XLSX only)")
    export.add_argument(
        "--format",
        choices=("xlsx", "parquet"),
        default="xlsx",
        help="xlsx: the officials' workbook of --year; parquet: every table of the BI snapshot",
    )
    export.add_argument(
        "--out",
        type=Path,
        help="workbook path (default: data/exports/nro_<year>.xlsx) or, for parquet, a folder "
        "(default: data/exports/parquet)",
    )
    export.add_argument("--warehouse", type=Path, help="DuckDB file (default: NRO_WAREHOUSE)")


def _add_dev(commands: Commands) -> None:
    dev = commands.add_parser(
        "dev",
        add_help=False,  # -h / -p and the rest go to `dagster dev`
        help="the Dagster UI on the project's instance (the run history nro run writes to)",
    )
    dev.add_argument("--landing", type=Path, help="landing root (default: NRO_LANDING_DIR)")
    dev.add_argument("--warehouse", type=Path, help="DuckDB file (default: NRO_WAREHOUSE)")
    dev.epilog = "Other options go to `dagster dev`, e.g. nro dev -p 3001."


def _add_publish(commands: Commands) -> None:
    publish = commands.add_parser(
        "publish",
        help="freeze the year's list as published into marts.published_lists and write its public edition",
    )
    publish.add_argument("--year", type=int, required=True, help="results year, e.g. 2024")
    publish.add_argument("--warehouse", type=Path, help="DuckDB file (default: NRO_WAREHOUSE)")


def _add_docs(commands: Commands) -> None:
    docs = commands.add_parser("docs", help="the dbt documentation site as one static HTML file")
    docs.add_argument("--warehouse", type=Path, help="DuckDB file (default: NRO_WAREHOUSE)")
    docs.add_argument("--out", type=Path, help="folder (default: <data root>/docs)")


def main(argv: Sequence[str] | None = None) -> int:
    # Dagster flags features it still calls beta (backfill policies); users need not see that.
    warnings.filterwarnings("ignore", message=r".*(beta|preview).*", category=Warning)
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "dev":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "dev":
        return _dev(args, extra)
    handlers = {
        "sample": _sample,
        "run": _run,
        "export": _export,
        "publish": lambda args: _publish(args.year, args.warehouse),
        "docs": _docs,
        "calibrate-isbsh": _calibrate_isbsh,
        "register-template": _register_template,
    }
    return handlers[args.command](args)


def _sample(args: argparse.Namespace) -> int:
    from nro_pipeline.lib.sample.region import generate_region

    out = (args.out or settings.landing_dir()).resolve()
    summary = generate_region(
        out,
        schools=args.schools or SCALES[args.scale],
        years=args.years,
        seed=args.seed,
        style=args.style,
    )
    print(f"Sample region written to {out}: {summary}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from nro_pipeline.lib.contract.parameters import parameter_problems, parameters_help
    from nro_pipeline.lib.contract.presets import PresetError, run_vars

    try:  # the preset's values, then each --var over them
        overrides = run_vars(args.preset, dict(args.var))
    except PresetError as error:
        print(f"nro run: {error}", file=sys.stderr)
        return 2
    problems = parameter_problems(overrides)
    if problems:  # before anything is written
        print("nro run: " + "; ".join(problems) + ".\n" + parameters_help(), file=sys.stderr)
        return 2
    settings.use_paths(args.landing, args.warehouse)
    from nro_pipeline.commands.run import rebuild_years, run_years

    if args.rebuild:
        return rebuild_years(args.years, overrides, verbose=args.verbose, as_of=args.as_of)
    return run_years(args.years, overrides, verbose=args.verbose)


def _dev(args: argparse.Namespace, dagster_args: list[str]) -> int:
    settings.use_paths(args.landing, args.warehouse)
    from nro_pipeline.commands.dev import start_dagster_dev

    return start_dagster_dev(dagster_args)


def _export(args: argparse.Namespace) -> int:
    if args.format == "parquet":
        return _export_parquet(args.warehouse, args.out)
    if args.year is None:
        print("nro export: --year is required for the XLSX workbook.", file=sys.stderr)
        return 2
    from nro_pipeline.lib.reports.xlsx_export import ExportError, export_year

    warehouse = (args.warehouse or settings.warehouse_path()).resolve()
    try:
        summary = export_year(warehouse, args.year, args.out)
    except ExportError as error:
        print(f"nro export: {error}", file=sys.stderr)
        return 1
    print(f"Workbook written to {summary.describe()}")
    return 0


def _docs(args: argparse.Namespace) -> int:
    from nro_pipeline.lib.reports.dbt_docs import generate_docs

    settings.use_paths(warehouse=args.warehouse)
    out = (args.out or settings.docs_dir()).resolve()
    out.mkdir(parents=True, exist_ok=True)
    page = generate_docs(settings.warehouse_path(), out)
    print(f"dbt docs written to {page} (open it in a browser; no server needed)")
    return 0


def _add_calibrate_isbsh(commands: Commands) -> None:
    calibrate = commands.add_parser(
        "calibrate-isbsh",
        help="a preset fixing year Y's ISBSh weights and scale, its quintile bounds as thresholds",
    )
    calibrate.add_argument("--year", type=int, required=True, help="base results year, e.g. 2022")
    calibrate.add_argument("--out", type=Path, required=True, help="preset file to write (.yml)")
    calibrate.add_argument("--warehouse", type=Path, help="DuckDB file (default: NRO_WAREHOUSE)")


def _calibrate_isbsh(args: argparse.Namespace) -> int:
    from nro_pipeline.lib.methods.isbsh_calibration import CalibrationError, write_calibration

    settings.use_paths(warehouse=args.warehouse)
    try:
        summary = write_calibration(settings.warehouse_path(), args.year, args.out)
    except CalibrationError as error:
        print(f"nro calibrate-isbsh: {error}", file=sys.stderr)
        return 1
    print(summary)
    return 0


def _add_register_template(commands: Commands) -> None:
    template = commands.add_parser(
        "register-template",
        help="the region's register of decisions on the year's list, as an XLSX to fill in",
    )
    template.add_argument("--year", type=int, required=True, help="results year, e.g. 2024")
    template.add_argument(
        "--out",
        type=Path,
        help="XLSX to write (default: data/exports/support_register_<year>.xlsx)",
    )
    template.add_argument("--warehouse", type=Path, help="DuckDB file (default: NRO_WAREHOUSE)")


def _register_template(args: argparse.Namespace) -> int:
    settings.use_paths(warehouse=args.warehouse)
    from nro_pipeline.commands.register_template import register_template

    return register_template(args.year, args.out)


def _export_parquet(warehouse: Path | None, out: Path | None) -> int:
    from nro_pipeline.lib.publish.parquet_export import ParquetExportError, export_parquet

    settings.use_paths(warehouse=warehouse)
    folder = (out or settings.exports_dir() / "parquet").resolve()
    try:
        rows = export_parquet(settings.published_path(), folder)
    except ParquetExportError as error:
        print(f"nro export: {error}", file=sys.stderr)
        return 1
    print(f"{len(rows)} Parquet files written to {folder} (one per table of the BI snapshot)")
    return 0


def _publish(year: int, warehouse: Path | None) -> int:
    settings.use_paths(warehouse=warehouse)
    from nro_pipeline.commands.publish import publish

    return publish(year)


def console_main() -> None:
    """`nro` as a command: `main`, then the process ends without finalising its modules.

    A run imports some 4,500 modules (Dagster, GX, pandas); tearing them down took 2 s after the
    last file was closed, on every run. By then every DuckDB file is closed and the Dagster
    storage committed; the atexit handlers (temporary folders among them) still run. An error
    escaping `main` ends the process the usual way, with its traceback."""
    exit_without_teardown(main())


if __name__ == "__main__":
    console_main()
