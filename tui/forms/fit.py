"""Forms on short terminals: one-row inputs, so more fields show and the buttons stay put.

A bordered Input or Select is three rows tall; below `COMPACT_BELOW` rows the form switches
its fields to Textual's compact style (one row, no border) and tightens the spacing, and
back when the terminal grows. The body scrolls; the title and buttons never leave the screen.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Button, Input, Select, SelectionList, TextArea

COMPACT_BELOW = 34  # terminal rows: a campaign form's first fields and its buttons fit at 24
FIELDS = (Input, Select, SelectionList, TextArea, Button)


def fit_to_height(screen: Screen, height: int) -> None:
    """Compact fields (and the `-compact` class on `screen`) when `height` is short."""
    compact = height < COMPACT_BELOW
    screen.set_class(compact, "-compact")
    for field in screen.query("*"):
        if isinstance(field, FIELDS):
            field.compact = compact
