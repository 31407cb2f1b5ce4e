"""Two rules that dbt Python models need in Python while the SQL models have them as macros: a test
ties each pair, so neither can drift from the other (every rule has one home, or a test that fails
when its two spellings disagree)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pytest

from nro_pipeline.lib.methods.partner_reasons import plural_years
from nro_pipeline.lib.methods.years_var import RUN_TABLE, parse_years, resolve_years, year_predicate

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros"


def _render_macro(file: str, call: str, var: dict[str, Any] | None = None) -> str:
    source = (MACROS / file).read_text(encoding="utf-8")
    template = jinja2.Environment().from_string(source + "{{ " + call + " }}")
    return template.render(var=lambda name: (var or {})[name]).strip()


def test_the_plural_of_years_is_the_ru_plural_macro() -> None:
    case = _render_macro("ru_plural.sql", "ru_plural('n', 'год', 'года', 'лет')")
    words = dict(duckdb.sql(f"select n, {case} from range(0, 250) as t(n)").fetchall())
    assert words == {n: plural_years(n) for n in range(250)}
    assert (words[1], words[3], words[11], words[22], words[25]) == (
        "год",
        "года",
        "лет",
        "года",
        "лет",
    )


@pytest.mark.parametrize("years", [None, [2024], [2022, 2023, 2024], "2023,2024"])
def test_the_python_models_restrict_years_as_the_years_filter_macro(years: Any) -> None:
    macro = _render_macro("years_filter.sql", "years_filter('year')", {"years": years})
    python = year_predicate(parse_years(years))
    rows = "select * from range(2019, 2026) as t(year)"
    assert (
        duckdb.sql(f"{rows} where {macro} order by 1").fetchall()
        == duckdb.sql(f"{rows} where {python} order by 1").fetchall()
    )


def test_a_dagster_run_reads_its_years_from_the_table_in_both() -> None:
    macro = _render_macro("years_filter.sql", "years_filter('year')", {"years": RUN_TABLE})
    con = duckdb.connect()
    con.execute("create schema meta; create table meta.dbt_run_years as select 2023 as year")
    rows = "select * from range(2019, 2026) as t(year)"

    python = year_predicate(resolve_years(RUN_TABLE, con))
    assert con.sql(f"{rows} where {macro}").fetchall() == [(2023,)]
    assert con.sql(f"{rows} where {python}").fetchall() == [(2023,)]
