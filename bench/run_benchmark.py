"""The benchmark: the pipeline against the DuckDB floor and a pandas baseline, same files.

    python bench/run_benchmark.py --scale national --out bench/results.json
    python bench/run_benchmark.py --scale national --style mixed --out bench/results_mixed.json
    python bench/run_benchmark.py --scale region           # smoke run, about a minute

Steps, each in its own subprocess (timed wall clock, peak RSS of its whole process tree):
  generate  `nro sample --style STYLE` of all years (reused when the same region exists):
            csv_utf8 (default, every file a canonical UTF-8 CSV) or mixed (Windows-1251 `;`,
            UTF-8 BOM `;`, TSV, XLSX, rotating by kind and year, as `nro sample` writes by default)
  a         full backfill: `nro run --years FIRST-LAST` on a fresh warehouse
  b_prefix  preparation of (b): `nro run --years FIRST-(LAST-1)` on another fresh warehouse
  b         one new year: `nro run --years LAST` on that warehouse (the yearly September run)
  c         the floor (bench/duckdb_floor.py): DuckDB alone reads every landing file once
            (read_csv, all columns as text; Windows-1251 and XLSX files transcoded in Python first)
  d         pandas baseline (bench/pandas_baseline.py): fct_procedure_results + mart_low_results
Ratios: a/c, a/d, b/a. Generated data and warehouses stay under --workdir (default under /tmp).

`--repeat N` runs (a) and (b) N times, alternated (a, b, a_2, b_2, …): b_prefix is built once and
its folder restored before every (b), so each (b) adds the same year to the same warehouse. The
ratios are then taken from the medians, and `b_over_a_pairs` gives b/a of each adjacent pair: on a
machine whose speed drifts, one draw of each says little.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from nro_pipeline.lib.sample.region import SCALES

REPO = Path(__file__).resolve().parent.parent
# Schools from `nro sample --scale`; the smaller presets cover three years to stay quick.
YEARS = {"region": "2022-2024", "large-region": "2022-2024", "national": "2019-2024"}
STYLES = ("csv_utf8", "mixed")  # `nro sample --style`; the floor transcodes what DuckDB cannot read
SAMPLE_SECONDS = 0.2
_STEP_LINE = re.compile(r"^(?:\[[#.]+\] \d+/\d+ )?\[([\d–]+)\] (.+?): (\w+) \(([\d.]+) s\)$")


@dataclass
class Step:
    name: str
    command: list[str]
    wall_s: float = 0.0
    peak_tree_rss_mib: float = 0.0  # sampled sum over the process and all its descendants
    max_process_rss_mib: float = 0.0  # largest single process (getrusage of the waited child)
    returncode: int = 0
    phases: list[dict[str, object]] = field(default_factory=list)  # nro run's own step times
    output_tail: str = ""


def _years(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def _span(years: list[int]) -> str:
    return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])


def _tree_rss_bytes(root: int) -> int:
    """RSS summed over `root` and its descendants, from /proc (no psutil in the lock file)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    page = os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return total


def run_step(name: str, command: list[str], env: dict[str, str]) -> Step:
    step = Step(name, command)
    print(f"== {name}: {' '.join(command)[:160]}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_bytes(process.pid))
            stop.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        print(f"   {line}", end="", flush=True)
    # wait4 gives this child's own rusage (ru_maxrss covers it and the descendants it waited for).
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    step.wall_s = round(time.monotonic() - started, 2)
    stop.set()
    sampler.join()
    step.peak_tree_rss_mib = round(peak / 2**20, 1)
    step.max_process_rss_mib = round(usage.ru_maxrss / 1024, 1)  # Linux: KiB
    step.returncode = process.returncode
    step.output_tail = "\n".join(lines[-15:])
    for line in lines:
        if match := _STEP_LINE.match(line.strip()):
            years, what, status_word, seconds = match.groups()
            step.phases.append(
                {"years": years, "phase": what, "status": status_word, "s": float(seconds)}
            )
    print(
        f"== {name}: {step.wall_s:.1f} s, peak tree RSS {step.peak_tree_rss_mib:.0f} MiB "
        f"(largest process {step.max_process_rss_mib:.0f} MiB), exit {step.returncode}",
        flush=True,
    )
    if step.returncode != 0 and not step.phases:
        raise SystemExit(f"step {name} failed:\n{step.output_tail}")
    if step.returncode != 0:
        # `nro run` exits 1 when a year is blocked by its checks: a result worth keeping (the
        # other years were built and timed), not a broken benchmark. The JSON shows it.
        print(f"== {name}: a year was blocked, see output_tail in the results", flush=True)
    return step


def _warm_page_cache(files: list[str]) -> None:
    """Read the landing files once, untimed, before every step: each step then starts from the same
    cached files. (The machines here reclaim idle page cache within minutes; a cold read of the
    national files took the floor from 4 s to 27 s.)"""
    for name in files:
        with open(name, "rb") as handle:
            while handle.read(1 << 24):
                pass


def _env(workdir: Path, tag: str) -> dict[str, str]:
    """Every path the pipeline writes points under the workdir; no Dagster instance is kept."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    out = workdir / tag
    env.update(
        NRO_LANDING_DIR=str(workdir / "landing"),
        NRO_WAREHOUSE=str(out / "nro.duckdb"),
        NRO_PUBLISHED=str(out / "published" / "nro_marts.duckdb"),
        NRO_REPORTS_DIR=str(out / "reports"),
        NRO_EXPORTS_DIR=str(out / "exports"),
        NRO_ARCHIVE_DIR=str(out / "archive"),
    )
    return env


def _fresh(workdir: Path, tag: str) -> None:
    shutil.rmtree(workdir / tag, ignore_errors=True)
    (workdir / tag).mkdir(parents=True)


def _repeat_of(name: str, base: str) -> bool:
    """`a`, `a_2`, `a_3` … are repeats of step `a`; `b_prefix` is not one of `b`."""
    return name == base or (name.startswith(f"{base}_") and name[len(base) + 1 :].isdigit())


def median_walls(wall_s: dict[str, float]) -> dict[str, float]:
    """Each step's median wall time over its repeats (the step itself when it ran once)."""
    medians = {}
    for base in ("a", "b", "c", "d"):
        if runs := sorted(wall for name, wall in wall_s.items() if _repeat_of(name, base)):
            middle = len(runs) // 2
            medians[base] = runs[middle] if len(runs) % 2 else (runs[middle - 1] + runs[middle]) / 2
    return medians


def pair_ratios(wall_s: dict[str, float]) -> list[float]:
    """b/a of each (a_i, b_i) run back to back, in the order they ran."""
    suffixes = [""] + [f"_{i}" for i in range(2, len(wall_s) + 2)]
    return [
        round(wall_s[f"b{s}"] / wall_s[f"a{s}"], 3)
        for s in suffixes
        if wall_s.get(f"a{s}") and wall_s.get(f"b{s}")
    ]


def ratios_and_targets(
    wall_s: dict[str, float], peak_rss_mib: float
) -> tuple[dict[str, float | None], dict[str, bool]]:
    """The ratios a/c, a/d, b/a (rounded, for reading) and the targets, judged on exact ratios:
    a b/a of 0.2513 is over 0.25 although it prints as 0.25."""

    medians = median_walls(wall_s)

    def exact(top: str, bottom: str) -> float | None:
        return medians[top] / medians[bottom] if medians.get(top) and medians.get(bottom) else None

    a_c, a_d, b_a = exact("a", "c"), exact("a", "d"), exact("b", "a")
    ratios = {
        name: None if value is None else round(value, 3)
        for name, value in (("a_over_c", a_c), ("a_over_d", a_d), ("b_over_a", b_a))
    }
    targets = {
        "a_within_3x_floor": a_c is not None and a_c <= 3,
        "a_faster_than_pandas": a_d is not None and a_d < 1,
        "b_within_25pct_of_a": b_a is not None and b_a <= 0.25,
        "peak_rss_below_4gib": peak_rss_mib < 4096,
    }
    return ratios, targets


def machine() -> dict[str, object]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        mem_kib = int(info.readline().split()[1])
    packages = ["duckdb", "pandas", "pyarrow", "dagster", "dagster-dbt", "dbt-core"]
    packages += ["dbt-duckdb", "great-expectations"]
    versions = {}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kib / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(SCALES), default="region")
    parser.add_argument("--schools", type=int, help="overrides the preset")
    parser.add_argument("--years", help="e.g. 2019-2024; overrides the preset")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--style", choices=STYLES, default=STYLES[0], help="landing file formats")
    parser.add_argument(
        "--workdir", type=Path, help="default /tmp/nro_bench/<schools>x<years>[-<style>]"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["a", "b", "c", "d"], help="repeatable"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of (a) and (b), alternated; medians are kept"
    )
    args = parser.parse_args(argv)
    schools = args.schools or SCALES[args.scale]
    years = _years(args.years or YEARS[args.scale])
    if len(years) < 2:
        parser.error("--years needs at least two years (b adds the last one)")
    # csv_utf8 keeps the unsuffixed name, so a region generated before --style is reused.
    suffix = "" if args.style == STYLES[0] else f"-{args.style}"
    workdir = args.workdir or Path("/tmp/nro_bench") / f"{schools}x{_span(years)}{suffix}"
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    nro = [python, "-m", "nro_pipeline.cli"]
    steps: dict[str, Step] = {}

    region = {"schools": schools, "years": years, "seed": args.seed, "style": args.style}
    marker = workdir / "landing.json"
    region_args = ["--schools", str(schools), "--years", _span(years)]
    region_args += ["--seed", str(args.seed), "--style", args.style]
    if not marker.exists() or json.loads(marker.read_text()) != region:
        shutil.rmtree(workdir / "landing", ignore_errors=True)
        steps["generate"] = run_step(
            "generate",
            [*nro, "sample", "--out", str(workdir / "landing"), *region_args],
            _env(workdir, "generate"),
        )
        marker.write_text(json.dumps(region))
    files = sorted(
        str(p)
        for p in (workdir / "landing").glob("*/*")
        if p.suffix.lower() in (".csv", ".xlsx") and not p.name.startswith(".")
    )
    size_mib = sum(Path(f).stat().st_size for f in files) / 2**20

    def save() -> dict[str, object]:
        """Written after every step: a national run takes long, and a late failure keeps the rest."""
        peak_rss = max((s.peak_tree_rss_mib for s in steps.values()), default=0.0)
        walls = {n: s.wall_s for n, s in steps.items()}
        ratios, targets = ratios_and_targets(walls, peak_rss)
        results = {
            "region": {**region, "files": len(files), "landing_mib": round(size_mib, 1)},
            "machine": machine(),
            "steps": {name: asdict(step) for name, step in steps.items()},
            "medians_s": {name: round(wall, 2) for name, wall in median_walls(walls).items()},
            "b_over_a_pairs": pair_ratios(walls),
            "ratios": ratios,
            "targets": targets,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        return results

    def timed(name: str, command: list[str], env: dict[str, str]) -> None:
        _warm_page_cache(files)
        steps[name] = run_step(name, command, env)
        save()

    if "b" not in args.skip:
        _fresh(workdir, "b")
        timed("b_prefix", [*nro, "run", "--years", _span(years[:-1])], _env(workdir, "b"))
        if args.repeat > 1:  # every (b) starts from the same prefix
            shutil.rmtree(workdir / "b_prefix_state", ignore_errors=True)
            shutil.copytree(workdir / "b", workdir / "b_prefix_state", symlinks=True)
    for repeat in range(1, args.repeat + 1):
        suffix = "" if repeat == 1 else f"_{repeat}"
        if "a" not in args.skip:
            _fresh(workdir, "a")
            timed(f"a{suffix}", [*nro, "run", "--years", _span(years)], _env(workdir, "a"))
        if "b" not in args.skip:
            if repeat > 1:
                shutil.rmtree(workdir / "b")
                shutil.copytree(workdir / "b_prefix_state", workdir / "b", symlinks=True)
            timed(f"b{suffix}", [*nro, "run", "--years", str(years[-1])], _env(workdir, "b"))

    if "c" not in args.skip:
        timed("c", [python, str(REPO / "bench" / "duckdb_floor.py"), *files], _env(workdir, "c"))
    if "d" not in args.skip:
        _fresh(workdir, "d")
        baseline_args = [str(workdir / "landing"), str(workdir / "d"), "--years", _span(years)]
        timed(
            "d",
            [python, str(REPO / "bench" / "pandas_baseline.py"), *baseline_args],
            _env(workdir, "d"),
        )

    results = save()
    print(
        f"\n{schools} schools, {_span(years)}, {args.style}: {len(files)} files, {size_mib:.0f} MiB"
    )
    print(f"{'step':<10}{'wall s':>10}{'tree RSS MiB':>14}{'max proc MiB':>14}")
    for name, step in steps.items():
        print(
            f"{name:<10}{step.wall_s:>10.1f}{step.peak_tree_rss_mib:>14.0f}"
            f"{step.max_process_rss_mib:>14.0f}"
        )
    print("medians:", results["medians_s"], "\nb/a of each pair:", results["b_over_a_pairs"])
    print("ratios:", results["ratios"], "\ntargets:", results["targets"])
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
