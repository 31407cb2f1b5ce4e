"""The step lines of `nro run`: a rich progress bar below them on a terminal, plain lines elsewhere
(CI, a log file), where a bar would only fill the log with redraws."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from nro_pipeline import settings


class Progress:
    """`start` says what a step begins, `done` what it ended with, `line` anything in between."""

    def __init__(self, total: int) -> None:
        self._total = total
        self._bar: RichProgress | None = None
        self._task = None
        if settings.progress_bar_wanted():
            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(highlight=False),
                transient=True,
            )

    @property
    def total(self) -> int:
        return self._total

    @total.setter
    def total(self, value: int) -> None:
        self._total = value
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=value)

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
            self._task = self._bar.add_task("nro run", total=self._total)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def line(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, markup=False)
        else:
            print(text, flush=True)

    def start(self, text: str) -> None:
        self.line(text)
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=text.split(" ", 1)[0])

    def done(self, text: str) -> None:
        self.line(text)
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)
