"""A keyed, fixed-column table that renders only the rows in view (Textual's Line API).

DataTable measures every cell of every new row and re-indexes on each change, which costs
seconds at 10,000 rows. Here columns have fixed widths (one may fill the rest), rows are an
ordered list of keys, cells are computed only when a row is first drawn (or given up front),
and a change re-renders one line. Rows look like DataTable's: header, zebra stripes, row cursor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets.data_table import RowKey

from tui.widgets.table_rows import (
    PADDING,
    Cell,
    CellSource,
    Column,
    RowKeys,
    TableRows,
    cell_text,
    fit_columns,
    plain_key,
)

__all__ = ["Cell", "CellSource", "Column", "RowKeys", "VirtualTable"]

MAX_CACHED = 2_000  # rendered lines kept; a few screens' worth


class VirtualTable(ScrollView, can_focus=True):
    """Rows keyed by string, drawn on demand; the cursor follows its row across changes."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first_row", "First row", show=False),
        Binding("end,ctrl+end", "last_row", "Last row", show=False),
    ]

    COMPONENT_CLASSES = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--even-row",
        "virtual-table--odd-row",
    }

    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .virtual-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .virtual-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .virtual-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .virtual-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .virtual-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    @dataclass
    class RowSelected(Message):
        """Enter was pressed on the highlighted row, or it was clicked."""

        table: VirtualTable
        key: str

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        source: CellSource | None = None,
        zebra_stripes: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`source(key)` gives a row's cells when it is first drawn, if none were given."""
        super().__init__(id=id, classes=classes)
        self.columns = tuple(columns)
        self.zebra_stripes = zebra_stripes
        self._rows = TableRows(self.columns, source)
        self._cursor = 0
        self._last_key: str | None = None
        self._strips: dict[tuple[str, str], Strip] = {}
        self._style_key: object = None
        self._base = Style()
        self._layout: tuple[int, list[tuple[int, int]]] | None = None

    @property
    def source(self) -> CellSource | None:
        return self._rows.source

    @source.setter
    def source(self, source: CellSource | None) -> None:
        self._rows.source = source

    # ---- reading ------------------------------------------------------------------------
    @property
    def rows(self) -> RowKeys:
        return RowKeys(self._rows)

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        keys = self._rows.keys
        return keys[self._cursor] if keys else None

    def get_row_index(self, key: str | RowKey) -> int:
        return self._rows.positions[plain_key(key) or ""]

    def get_cell(self, key: str | RowKey, column: str) -> Cell:
        return self._rows.cell(plain_key(key) or "", column)

    # ---- changing -----------------------------------------------------------------------
    def set_rows(self, keys: Iterable[str]) -> None:
        """Show exactly `keys`, in this order; the cursor stays on its row if it is still shown
        (or was, before a set of no rows: clearing a filter that matched nothing finds it)."""
        current = self.cursor_key or self._last_key
        self._rows.set_keys(keys)
        self._strips.clear()
        self._resized_rows()
        positions = self._rows.positions
        if current is not None and current in positions:
            self.move_cursor(row=positions[current])
        else:
            self.move_cursor(row=min(self._cursor, max(0, len(self._rows) - 1)))
        self.refresh()

    def add_row(self, *cells: Cell, key: str) -> None:
        """Append a row; with no cells, `source` gives them when it is drawn."""
        if key in self._rows:
            raise ValueError(f"row {key!r} already exists")
        self.append_rows([(key, cells or None)])

    def append_rows(self, rows: Iterable[tuple[str, Sequence[Cell] | None]]) -> int:
        """Append (key, cells) rows in one go, skipping keys already shown; returns how many.

        Cells None: `source` gives them when the row is drawn. Only lines in view redraw."""
        first = len(self._rows)
        added = self._rows.append(rows)
        if added:
            self._resized_rows()
            for index in range(first, min(len(self._rows), first + self.size.height)):
                self._refresh_index(index)
        return added

    def remove_rows(self, keys: Iterable[str]) -> None:
        """Drop rows (one pass however many); the cursor stays on its row if it remains."""
        left = self._rows.drop(keys)
        if left is not None:
            self.set_rows(left)

    def drop_cells(self) -> None:
        """Forget every row's cells (rows stay): `source` gives them again when drawn."""
        self._rows.forget(by_hand=True)
        self._strips.clear()
        self.refresh()

    def recompute_cells(self) -> None:
        """Take every row's cells from `source` again when drawn (a theme change); cells set
        with update_cell stay."""
        self._rows.forget(by_hand=False)
        self._strips.clear()
        self.refresh()

    def clear(self) -> None:
        """Drop every row and every cached cell."""
        self._rows.forget(by_hand=True)
        self._last_key = None
        self.set_rows([])

    def update_cell(self, key: str | RowKey, column: str, value: Cell) -> None:
        """Set one cell of a shown row until its row is replaced; redraws that line only (if
        it is in view). Kept apart, so the rest of the row need not be computed for it."""
        key = plain_key(key) or ""
        self._rows.set_cell(key, column, value)
        self._changed(key)

    def update_row(self, key: str, cells: Sequence[Cell] | None = None) -> None:
        """Replace a row's cells (None: ask `source` again when drawn); redraws that line only.

        Works for rows not shown too, so they are fresh when shown again."""
        self._rows.replace(key, cells)
        self._changed(key)

    def _changed(self, key: str) -> None:
        for kind in ("cursor", "even", "odd", "plain"):
            self._strips.pop((key, kind), None)
        index = self._rows.positions.get(key)
        if index is not None:
            self._refresh_index(index)

    def _resized_rows(self) -> None:
        self.virtual_size = Size(self._table_width(), len(self._rows) + 1)

    def _refresh_index(self, index: int) -> None:
        top = round(self.scroll_y)
        if top <= index < top + self.size.height - 1:
            self.refresh_line(index + 1)  # line 0 is the header

    # ---- cursor -------------------------------------------------------------------------
    def move_cursor(self, *, row: int, animate: bool = False, scroll: bool = True) -> None:
        """Put the cursor on `row` (clamped) and scroll it into view."""
        row = max(0, min(row, len(self._rows.keys) - 1)) if self._rows.keys else 0
        old, self._cursor = self._cursor, row
        self._last_key = self.cursor_key or self._last_key
        if old != row:
            for index in (old, row):
                if index < len(self._rows.keys):
                    self._changed(self._rows.keys[index])
        if scroll:
            self._scroll_to_cursor(animate)

    def _scroll_to_cursor(self, animate: bool = False) -> None:
        rows_in_view = self.size.height - 1
        if rows_in_view <= 0:
            return  # not laid out yet: on_resize does it
        top = round(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=animate, force=True)
        elif self._cursor >= top + rows_in_view:
            self.scroll_to(y=self._cursor - rows_in_view + 1, animate=animate, force=True)

    def on_resize(self, event: events.Resize) -> None:
        self._strips.clear()
        self._resized_rows()
        self._scroll_to_cursor()

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self._cursor - max(1, self.size.height - 2))

    def action_page_down(self) -> None:
        self.move_cursor(row=self._cursor + max(1, self.size.height - 2))

    def action_first_row(self) -> None:
        self.move_cursor(row=0)

    def action_last_row(self) -> None:
        self.move_cursor(row=len(self._rows.keys) - 1)

    def action_select_cursor(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, key))

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y - 1
        if event.y < 1 or index >= len(self._rows.keys):
            return
        if index == self._cursor:
            self.post_message(self.RowSelected(self, self._rows.keys[index]))
        else:
            self.move_cursor(row=index)

    # ---- drawing ------------------------------------------------------------------------
    def layout(self) -> list[tuple[int, int]]:
        """(column index, cells) of the columns that fit the table's width, left to right."""
        width = self.scrollable_content_region.width  # without the scrollbar gutter
        if self._layout is None or self._layout[0] != width:
            self._layout = (width, fit_columns(self.columns, width))
        return self._layout[1]

    def shown_columns(self) -> list[str]:
        """The keys of the columns the current width shows."""
        return [self.columns[i].key for i, _ in self.layout()]

    def _table_width(self) -> int:
        """The cells the shown columns need at their least: wider than the view only when
        even that does not fit (then it scrolls sideways), so a scrollbar appearing, which
        narrows the view by its width, never adds a horizontal one."""
        return sum(self.columns[i].least + 2 * PADDING for i, _ in self.layout())

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base = self.rich_style
        style_key = (self._base, self.has_focus, self.size.width)
        if style_key != self._style_key:  # focus, theme or width moved: draw afresh
            self._style_key = style_key
            self._strips.clear()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        base = self._base
        if y == 0:
            strip = self._strip("", "header")
        else:
            index = scroll_y + y - 1
            if index >= len(self._rows.keys):
                return Strip.blank(width, base)
            if index == self._cursor:
                kind = "cursor"
            elif self.zebra_stripes:
                kind = "odd" if index % 2 else "even"
            else:
                kind = "plain"
            strip = self._strip(self._rows.keys[index], kind)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _strip(self, key: str, kind: str) -> Strip:
        cached = self._strips.get((key, kind))
        if cached is not None:
            return cached
        if kind == "header":
            cells: Sequence[Cell] = [Text(c.label) for c in self.columns]
            style = self.get_component_rich_style("virtual-table--header")
        else:
            cells = self._rows.drawn(key)
            style = {
                "cursor": self.get_component_rich_style("virtual-table--cursor"),
                "even": self.get_component_rich_style("virtual-table--even-row"),
                "odd": self.get_component_rich_style("virtual-table--odd-row"),
                "plain": self._base,
            }[kind]
        line = Text(no_wrap=True, end="")
        pad = " " * PADDING
        for index, width in self.layout():
            line.append(pad)
            line.append_text(cell_text(cells[index] if index < len(cells) else "", width))
            line.append(pad)
        # Like DataTable: the cursor's colour wins over the cells', their backgrounds stay.
        post = Style.from_color(style.color) if kind == "cursor" else None
        segments = Segment.apply_style(line.render(self.app.console), style, post)
        strip = Strip(list(segments)).extend_cell_length(max(self.size.width, 1), style)
        if len(self._strips) >= MAX_CACHED:
            self._strips.clear()
        self._strips[(key, kind)] = strip
        return strip
