"""What a virtual table holds, apart from drawing: its columns, its rows' keys and their cells.

Cells come three ways: given with the row, computed by the table's `source` when the row is
first drawn, or set one at a time by hand (`update_cell`), which wins until the row changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets.data_table import RowKey


class Squeezable(str):
    """A cell's text that has shorter forms for a narrow column, longest first (a cut one
    could mislead: "+14155550101 an…" for "+14155550101 and 1 more")."""

    shorter: tuple[str, ...] = ()

    def __new__(cls, text: str, shorter: Sequence[str] = ()) -> Squeezable:
        made = super().__new__(cls, text)
        made.shorter = tuple(shorter)
        return made


Cell = str | Text
CellSource = Callable[[str], Sequence[Cell]]

MIN_FILL = 12  # narrowest a filling column gets
PADDING = 1  # blank cells either side of each column, as DataTable draws them


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its key (for get_cell/update_cell), header label and width (None: fill).

    When the table is narrower than its columns, a column with a `min_width` gives up cells
    down to it, and columns with a `drop` rank are hidden, highest rank first, until the rest
    fit; a column with rank 0 always stays."""

    key: str
    label: str
    width: int | None = None
    min_width: int | None = None
    drop: int = 0

    @property
    def least(self) -> int:
        return self.min_width or self.width or MIN_FILL


def fit_columns(columns: Sequence[Column], width: int) -> list[tuple[int, int]]:
    """(column index, cells) of the columns shown in `width` cells, left to right.

    Lowest-ranked droppable columns go first while even their least widths do not fit; then
    each column grows from its least width towards its own, leftmost first, and any cells
    left over go to the filling columns (width None)."""
    shown = list(range(len(columns)))

    def least_total() -> int:
        return sum(columns[i].least + 2 * PADDING for i in shown)

    while least_total() > width:
        droppable = [i for i in shown if columns[i].drop]
        if not droppable:
            break
        shown.remove(max(droppable, key=lambda i: (columns[i].drop, i)))
    widths = {i: columns[i].least for i in shown}
    spare = width - least_total()
    for i in shown:
        want = columns[i].width
        if want is not None and spare > 0:
            grow = min(spare, want - widths[i])
            widths[i] += grow
            spare -= grow
    fills = [i for i in shown if columns[i].width is None]
    for n, i in enumerate(fills):
        share = spare // (len(fills) - n) if spare > 0 else 0
        widths[i] += share
        spare -= share
    return [(i, widths[i]) for i in shown]


def plain_key(key: object) -> str | None:
    """A row key as a string: a RowKey's value, a string itself, anything else None."""
    if isinstance(key, RowKey):
        return key.value
    return key if isinstance(key, str) else None


def cell_text(value: Cell, width: int) -> Text:
    """The value as one line of exactly `width` cells (cut with an ellipsis when too long; a
    Squeezable's first shorter form that fits, if any)."""
    if isinstance(value, Squeezable) and len(value) > width:
        value = next((form for form in value.shorter if len(form) <= width), value)
    text = value.copy() if isinstance(value, Text) else Text(str(value))
    text.truncate(width, overflow="ellipsis", pad=True)
    return text


class TableRows:
    """Row keys in order (with their positions) and each row's cells."""

    def __init__(self, columns: Sequence[Column], source: CellSource | None) -> None:
        self.source = source
        self.column_index = {c.key: i for i, c in enumerate(columns)}
        self.keys: list[str] = []
        self.positions: dict[str, int] = {}
        self._cells: dict[str, list[Cell]] = {}
        self._by_hand: dict[str, dict[int, Cell]] = {}  # update_cell: column index → value

    def __contains__(self, key: object) -> bool:
        return key in self.positions

    def __len__(self) -> int:
        return len(self.keys)

    # ---- cells ----------------------------------------------------------------------------
    def cell(self, key: str, column: str) -> Cell:
        index = self.column_index[column]
        by_hand = self._by_hand.get(key, {})
        return by_hand[index] if index in by_hand else self._row_cells(key)[index]

    def drawn(self, key: str) -> list[Cell]:
        """The row's cells as drawn: those set by hand over the rest."""
        cells = self._row_cells(key)
        by_hand = self._by_hand.get(key)
        if by_hand:
            cells = [by_hand.get(i, cell) for i, cell in enumerate(cells)]
        return cells

    def _row_cells(self, key: str) -> list[Cell]:
        cells = self._cells.get(key)
        if cells is None:
            if key not in self.positions:
                raise KeyError(key)
            if self.source is None:
                raise KeyError(f"row {key!r} has no cells and the table no source")
            cells = self._cells[key] = list(self.source(key))
        return cells

    def set_cell(self, key: str, column: str, value: Cell) -> None:
        if key not in self.positions:
            raise KeyError(key)
        self._by_hand.setdefault(key, {})[self.column_index[column]] = value

    def replace(self, key: str, cells: Sequence[Cell] | None) -> None:
        """New cells for a row (None: ask `source` again); drops those set by hand."""
        self._by_hand.pop(key, None)
        if cells is None:
            self._cells.pop(key, None)
        else:
            self._cells[key] = list(cells)

    def forget(self, *, by_hand: bool) -> None:
        """Forget computed and given cells (and, with `by_hand`, those set by hand too)."""
        self._cells.clear()
        if by_hand:
            self._by_hand.clear()

    # ---- keys -----------------------------------------------------------------------------
    def set_keys(self, keys: Iterable[str]) -> None:
        self.keys = list(keys)
        self.positions = {key: i for i, key in enumerate(self.keys)}

    def append(self, rows: Iterable[tuple[str, Sequence[Cell] | None]]) -> int:
        """Append (key, cells) rows, skipping keys already shown; returns how many."""
        first = len(self.keys)
        for key, cells in rows:
            if key in self.positions:
                continue
            self.positions[key] = len(self.keys)
            self.keys.append(key)
            if cells is None:
                self._cells.pop(key, None)
            else:
                self._cells[key] = list(cells)
        return len(self.keys) - first

    def drop(self, keys: Iterable[str]) -> list[str] | None:
        """Forget these rows' cells; the keys left, in order (None: none of them was shown)."""
        gone = {k for k in keys if k in self.positions}
        if not gone:
            return None
        for key in gone:
            self._cells.pop(key, None)
            self._by_hand.pop(key, None)
        return [k for k in self.keys if k not in gone]


class RowKeys:
    """The shown rows' keys in order, like DataTable.rows: `key in rows`, iteration, len."""

    def __init__(self, rows: TableRows) -> None:
        self._rows = rows

    def __contains__(self, key: object) -> bool:
        return plain_key(key) in self._rows

    def __iter__(self) -> Iterator[RowKey]:
        return (RowKey(key) for key in list(self._rows.keys))

    def __len__(self) -> int:
        return len(self._rows)
