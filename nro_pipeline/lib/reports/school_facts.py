"""The facts table of a school's page (`school_history`): a row per fact, a column per year of
the school, newest first.

Per year: the list status (on the list, reasons, confidence, movement, years on the list, support
stage), the region's decision, final list and partner (`mart_support_list`; docs/methodology.md,
«Решения региона»), cluster, result index, ISBSh and its quintile, social status, the benchmark
against similar schools and the VPR objectivity signals, in the words of `marts.dim_code_labels`.
Neighbouring years with the same value share one cell, so what changed stands out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import duckdb
from markupsafe import Markup

from nro_pipeline.lib.reports.formatting import NO, NO_DATA, YES, fmt_number, fmt_share
from nro_pipeline.lib.reports.labels import OBJECTIVITY_SIGNALS, label_of

_DECISIONS = """
    select d.school_id, d.year, d.in_final_list, d.decision, d.reason, d.partner_id,
           p.school_name, d.partner_source, d.partner_note
    from marts.mart_support_list d
    left join marts.mart_low_results p on p.school_id = d.partner_id and p.year = d.year
"""

Labels = dict[str, dict[str, str]]
Cell = tuple[str, str]  # text, css class
Span = tuple[str, Markup]  # text, attributes of its cell (css class, the years it spans)


@dataclass(frozen=True)
class FactGroup:
    title: str
    rows: list[tuple[str, list[Span]]]  # label, its values over the years (newest first)


def year_facts(row: tuple[Any, ...], labels: Labels) -> dict[str, Cell]:
    """One year of the school: each fact's text (and css class) by its label."""
    (_, _, _, _, listed, reasons, _, confidence, status, years_on, stage, cluster, index,
     isbsh, quintile, social, level, percentile, group_size, share, group_share, rated,
     *signals) = row  # fmt: skip
    raised = [
        label_of(labels["objectivity_signal"], name)
        for name, on in zip(OBJECTIVITY_SIGNALS, signals, strict=True)
        if on
    ]
    plain = {
        "Причины": reasons or "—",
        "Уверенность отнесения": label_of(labels["list_confidence"], confidence),
        "Движение в списке": label_of(labels["list_status"], status),
        "Лет в списке подряд": str(years_on if years_on is not None else "—"),
        "Этап поддержки": label_of(labels["support_stage"], stage),
        "Кластер": label_of(labels["cluster"], cluster),
        "Индекс образовательных результатов (ИОР)": fmt_number(index, 3),
        "ИСБШ": fmt_number(isbsh, 3),
        "Квинтиль ИСБШ": str(quintile or "—"),
        "Социальный статус": label_of(labels["social_status"], social),
        "Сравнение с похожими школами": label_of(labels["benchmark_level"], level),
        "Процентиль среди похожих школ": fmt_share(percentile),
        "Школ в группе сравнения": str(group_size if group_size is not None else "—"),
        "Доля успешных результатов: школа / группа сравнения": (
            f"{fmt_share(share)} / {fmt_share(group_share)}"
        ),
        "Сигналы необъективности ВПР": "; ".join(raised) or (NO if rated else NO_DATA),
    }
    facts = {label: (text, "") for label, text in plain.items()}
    facts["В списке ШНОР"] = (YES, "on") if listed else (NO, "")
    return facts


# The rows of the facts table, grouped; the region's decisions only when it made some.
FACT_GROUPS = (
    (
        "Список ШНОР",
        (
            "В списке ШНОР",
            "Причины",
            "Уверенность отнесения",
            "Движение в списке",
            "Лет в списке подряд",
            "Этап поддержки",
        ),
    ),
    (
        "Итоговый список: решение региона",
        (
            "В итоговом списке",
            "Решение региона",
            "Партнёр в итоговом списке",
            "Согласованный партнёр и методика",
        ),
    ),
    (
        "Социальные условия и результаты",
        (
            "Кластер",
            "Индекс образовательных результатов (ИОР)",
            "ИСБШ",
            "Квинтиль ИСБШ",
            "Социальный статус",
        ),
    ),
    (
        "Сравнение с похожими школами",
        (
            "Сравнение с похожими школами",
            "Процентиль среди похожих школ",
            "Школ в группе сравнения",
            "Доля успешных результатов: школа / группа сравнения",
        ),
    ),
    ("Объективность ВПР", ("Сигналы необъективности ВПР",)),
)


_ORDER = [label for _, labels in FACT_GROUPS for label in labels]
_AT = {label: i for i, label in enumerate(_ORDER)}
_NONE: Cell = ("—", "none")


def in_order(facts: dict[str, Cell], decisions: dict[str, Cell]) -> list[Cell | None]:
    """A year's facts in the rows' order (None: a fact the year has not, a decision not made)."""
    cells: list[Cell | None] = [facts.get(label) for label in _ORDER]
    for label, cell in decisions.items():
        cells[_AT[label]] = cell
    return cells


def fact_groups(by_year: list[list[Cell | None]]) -> list[FactGroup]:
    """The facts table: a row per fact some year has, its values over the years."""
    over_years = dict(zip(_ORDER, zip(*by_year, strict=True), strict=True))
    groups = []
    for title, labels in FACT_GROUPS:
        rows = [(label, _runs(over_years[label])) for label in labels if any(over_years[label])]
        if rows:
            groups.append(FactGroup(title, rows))
    return groups


@functools.cache
def _attributes(css: str, span: int) -> Markup:
    return Markup(f' class="{css}"' if css else "") + (
        Markup(f' colspan="{span}"') if span > 1 else ""
    )


def _runs(cells: tuple[Cell | None, ...]) -> list[Span]:
    """Neighbouring years with the same value share one cell: what changed stands out."""
    runs: list[tuple[Cell, int]] = []
    for cell in cells:
        cell = cell or _NONE
        if runs and runs[-1][0] == cell:
            runs[-1] = (cell, runs[-1][1] + 1)
        else:
            runs.append((cell, 1))
    return [(text, _attributes(css, n)) for (text, css), n in runs]


def decision_facts(
    con: duckdb.DuckDBPyConnection, labels: Labels
) -> dict[tuple[str, int], dict[str, Cell]]:
    """The lines on the final list (docs/methodology.md, «Решения региона») per (school, year):
    whether the school takes part, the region's decision and reason, its partner and whether an
    agreed partner follows the method; for every school of the preliminary or the final list."""
    facts: dict[tuple[str, int], dict[str, Cell]] = {}
    for school_id, year, final, decision, reason, partner, name, source, note in con.execute(
        _DECISIONS
    ).fetchall():
        said = f"{label_of(labels['decision'], decision)}: {reason}" if decision else reason
        lines = {"В итоговом списке": YES if final else NO, "Решение региона": said or "—"}
        if final:
            who = f"{name} ({partner}), " if partner else ""
            lines["Партнёр в итоговом списке"] = who + label_of(labels["partner_source"], source)
        if note:
            lines["Согласованный партнёр и методика"] = note
        facts[school_id, year] = {label: (text, "") for label, text in lines.items()}
    return facts
