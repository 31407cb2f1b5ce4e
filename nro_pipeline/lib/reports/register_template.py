"""`nro register-template`: the region's register of decisions to fill in, as an XLSX workbook.

Every school of the year's preliminary list, with its suggested partner (rank 1 of
`mart_partner_matches`), an empty decision with a drop-down of the Russian words and an empty
reason (docs/methodology.md, «Решения региона»). The headers are the landing contract's
Russian names of `support_register`, so the filled file, put into `<landing>/<year>/`, lands as it
is; the school's and the partner's names and the municipality are extra columns for the reader,
kept in raw and ignored downstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xlsxwriter import Workbook

from nro_pipeline.lib.contract.file_kinds import CODED_VALUES, SUPPORT_REGISTER
from nro_pipeline.lib.reports.warehouse import connect_read_only, require_year

# Room below the listed schools for schools the region includes (the drop-down reaches them).
SPARE_ROWS = 100
_SCHOOLS = """
    select l.school_id, l.school_name, l.municipality, m.partner_id, p.school_name
    from marts.mart_low_results l
    left join marts.mart_partner_matches m
        on m.school_id = l.school_id and m.year = l.year and m.rank = 1
    left join marts.mart_low_results p on p.school_id = m.partner_id and p.year = l.year
    where l.year = $year and l.on_initial_list
    order by l.municipality, l.school_name, l.school_id
"""
NAME, MUNICIPALITY, PARTNER_NAME = "наименование ОО", "муниципалитет", "наименование школы-партнёра"
# The template's columns: the contract's columns by their Russian headers, names beside the ids.
_COLUMNS = (
    ("school_id", 14),
    (NAME, 44),
    (MUNICIPALITY, 28),
    ("decision", 16),
    ("reason", 44),
    ("partner_id", 16),
    (PARTNER_NAME, 44),
    ("agreement_date", 16),
    ("decided_by", 30),
)


@dataclass(frozen=True)
class Template:
    path: Path
    year: int
    schools: int

    def describe(self) -> str:
        return (
            f"{self.path}: the register of decisions for {self.year}, {self.schools} school(s) of "
            "the preliminary list; fill in «решение» and «обоснование», then put it into "
            f"<landing>/{self.year}/support_register.xlsx and run `nro run --years {self.year}`."
        )


def _header(name: str) -> str:
    known = {c.name: c.russian for c in SUPPORT_REGISTER.columns}
    return known.get(name, name)


def write_template(warehouse: Path, year: int, out: Path) -> Template:
    """Write the year's register to fill in; ExportError when the year has no marts."""
    with connect_read_only(warehouse) as con:
        require_year(con, year, warehouse)
        rows = con.execute(_SCHOOLS, {"year": year}).fetchall()
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook(str(out))
    try:
        sheet = workbook.add_worksheet("Реестр решений")
        title = workbook.add_format({"bold": True, "font_size": 13})
        head = workbook.add_format(
            {"bold": True, "text_wrap": True, "border": 1, "bg_color": "#eef2f7"}
        )
        text = workbook.add_format({"num_format": "@", "text_wrap": True, "valign": "top"})
        sheet.write(
            0,
            0,
            f"Реестр решений региона по предварительному списку ШНОР на {year} год: "
            "выберите решение, укажите обоснование и школу-партнёр соглашения",
            title,
        )
        for column, (name, width) in enumerate(_COLUMNS):
            sheet.write(1, column, _header(name), head)
            sheet.set_column(column, column, width, text)
        for row, (school, name, municipality, partner, partner_name) in enumerate(rows, start=2):
            values = {"school_id": school, NAME: name, MUNICIPALITY: municipality}
            values.update({"partner_id": partner, PARTNER_NAME: partner_name})
            for column, (key, _) in enumerate(_COLUMNS):
                if values.get(key) is not None:
                    sheet.write_string(row, column, str(values[key]), text)
        words = [forms[0] for forms in CODED_VALUES["decision"].values()]
        decision = next(i for i, (key, _) in enumerate(_COLUMNS) if key == "decision")
        sheet.data_validation(
            2,
            decision,
            len(rows) + 1 + SPARE_ROWS,
            decision,
            {
                "validate": "list",
                "source": words,
                "input_title": "Решение",
                "input_message": ", ".join(words),
                "error_message": "Выберите одно из значений: " + ", ".join(words),
            },
        )
        sheet.freeze_panes(2, 1)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(1)
    finally:
        workbook.close()
    return Template(out, year, len(rows))
