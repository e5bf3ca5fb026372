"""The `?` help screen: every key of the main screen (and the screens it opens), grouped."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

KeySection = tuple[str, list[tuple[str, str]]]

KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "esc"}

# Keys of the tables and of the screens the main screen opens, shown after its own.
OTHER_KEYS: list[KeySection] = [
    (
        "Tables",
        [
            ("↑ ↓ pgup pgdn", "move the cursor"),
            ("← →", "switch tabs (when the tab bar is focused)"),
            ("tab", "move focus: tabs → table → event log"),
            ("enter", "open the detail of the row (or the raw event in the log)"),
        ],
    ),
    (
        "Resource detail",
        [
            ("r", "reconcile this resource with the API"),
            ("x", "export its timeline"),
            ("f", "fix a rejected campaign (resubmit) or brand (its profile, then register again)"),
            ("m", "a campaign's numbers (for a number: its campaign's)"),
        ],
    ),
    ("Campaign numbers", [("r", "read each number's status from Plivo again")]),
    (
        "Event detail",
        [("p", "replay the callback to our receiver or a URL"), ("c", "copy as curl")],
    ),
    (
        "Row marks",
        [
            ("⏰", "callback overdue: reconciled automatically"),
            ("⚠", "its callbacks go to an old public URL"),
        ],
    ),
    (
        "Forms",
        [
            ("ctrl+s", "submit (enter in a one-line field too)"),
            ("F2", "campaign form, sandbox mode: fill in an example campaign"),
            ("F3", "link form: pick numbers from the account's inventory"),
            ("F4", "brand form: create a new profile when none fits"),
            ("tab", "next field"),
            ("esc", "cancel: nothing is sent"),
        ],
    ),
    ("Anywhere", [("esc", "back / close"), ("ctrl+p", "command palette"), ("q", "quit")]),
]


def key_label(keys: str) -> str:
    """`N,escape` → `N / esc`."""
    return " / ".join(KEY_NAMES.get(k, k) for k in keys.split(","))


def keys_table(sections: list[KeySection]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold", no_wrap=True, min_width=10)
    table.add_column()
    for index, (title, keys) in enumerate(sections):
        if index:
            table.add_row("", "")
        table.add_row("", Text(title, style="bold underline"))
        for key, description in keys:
            table.add_row(Text(key, style="bold cyan"), description)
    return table


class HelpScreen(ModalScreen[None]):
    """Lists keys; esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, sections: list[KeySection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Label("tendlc — keys", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(keys_table(self.sections))
            yield Label(
                "[dim]↑ ↓ pgup pgdn end scroll · esc to close · ctrl+p command palette[/]",
                id="help-hint",
            )
