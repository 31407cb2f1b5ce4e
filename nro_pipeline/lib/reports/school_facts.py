"""The facts table of a school's page (`school_history`): a row per fact, a column per year of
the school, newest first.

Per year: the list status (on the list, reasons, confidence, movement, years on the list, support
stage), the region's decision, final list and partner (`mart_support_list`; docs/methodology.md,
«Решения региона»), cluster, result index, ISBSh and its quintile, social status, the benchmark
against similar schools and the VPR objectivity signals, in the words of `marts.dim_code_labels`.
Neighbouring years with the same value share one cell, so what changed stands out. A row's cells
come as markup (`<td>` per run of years), built here once rather than cell by cell in the template:
a national site writes 40,000 pages of about twenty rows each.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import duckdb
from markupsafe import Markup, escape

from nro_pipeline.lib.reports.formatting import NO, NO_DATA, YES, fmt_number, fmt_share
from nro_pipeline.lib.reports.labels import OBJECTIVITY_SIGNALS, label_of

_DECISIONS = """
    select d.school_id, d.year, d.in_final_list, d.decision, d.reason, d.partner_id,
           p.school_name, d.partner_source, d.partner_note
    from marts.mart_support_list d
    left join marts.mart_low_results p on p.school_id = d.partner_id and p.year = d.year
    where hash(d.school_id) % $shards = $shard
"""

Labels = dict[str, dict[str, str]]
LISTED = "В списке ШНОР"  # the row whose «да» stands out


@dataclass(frozen=True)
class FactGroup:
    title: str
    rows: list[tuple[str, Markup]]  # label, the cells of its values over the years (newest first)


def year_facts(row: tuple[Any, ...], labels: Labels, decided: dict[str, str]) -> list[str | None]:
    """One year of the school: each fact's text in the rows' order (None: a decision the region
    did not make); `decided`: the year's lines of the final list (`decision_facts`)."""
    (_, _, _, _, listed, reasons, _, confidence, status, years_on, stage, cluster, index,
     isbsh, quintile, social, level, percentile, group_size, share, group_share, rated,
     *signals) = row  # fmt: skip
    raised = [
        label_of(labels["objectivity_signal"], name)
        for name, on in zip(OBJECTIVITY_SIGNALS, signals, strict=True)
        if on
    ]
    facts = {
        LISTED: YES if listed else NO,
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
        **decided,
    }
    return list(map(facts.get, _ORDER))


# The rows of the facts table, grouped; the region's decisions only when it made some.
FACT_GROUPS = (
    (
        "Список ШНОР",
        (
            LISTED,
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


def fact_groups(by_year: list[list[str | None]]) -> list[FactGroup]:
    """The facts table: a row per fact some year has, its values over the years."""
    over_years = dict(zip(_ORDER, zip(*by_year, strict=True), strict=True))
    groups = []
    for title, labels in FACT_GROUPS:
        rows = [
            (label, _runs(over_years[label], YES if label == LISTED else None))
            for label in labels
            if over_years[label].count(None) < len(by_year)
        ]
        if rows:
            groups.append(FactGroup(title, rows))
    return groups


def _runs(texts: tuple[str | None, ...], stands_out: str | None) -> Markup:
    """Neighbouring years with the same value share one cell: what changed stands out. A year
    without the fact shows a grey dash; `stands_out`, the value shown in red (on the list)."""
    cells = []
    run, span = texts[0], 0
    for text in texts:
        if text == run:
            span += 1
        else:
            cells.append(_cell(run, stands_out, span))
            run, span = text, 1
    cells.append(_cell(run, stands_out, span))
    return Markup("".join(cells))


@functools.lru_cache(maxsize=4096)  # words repeat from page to page, numbers seldom
def _cell(text: str | None, stands_out: str | None, span: int) -> str:
    css = "none" if text is None else ("on" if text == stands_out else "")
    attributes = (f' class="{css}"' if css else "") + (f' colspan="{span}"' if span > 1 else "")
    return f"<td{attributes}>{escape('—' if text is None else text)}</td>"


def decision_facts(
    con: duckdb.DuckDBPyConnection, labels: Labels, part: dict[str, int]
) -> dict[tuple[str, int], dict[str, str]]:
    """The lines on the final list (docs/methodology.md, «Решения региона») per (school, year):
    whether the school takes part, the region's decision and reason, its partner and whether an
    agreed partner follows the method; for every school of the preliminary or the final list (of
    the shard, `part`: `school_history`)."""
    facts: dict[tuple[str, int], dict[str, str]] = {}
    for school_id, year, final, decision, reason, partner, name, source, note in con.execute(
        _DECISIONS, part
    ).fetchall():
        said = f"{label_of(labels['decision'], decision)}: {reason}" if decision else reason
        lines = {"В итоговом списке": YES if final else NO, "Решение региона": said or "—"}
        if final:
            who = f"{name} ({partner}), " if partner else ""
            lines["Партнёр в итоговом списке"] = who + label_of(labels["partner_source"], source)
        if note:
            lines["Согласованный партнёр и методика"] = note
        facts[school_id, year] = lines
    return facts
