"""Pick numbers from the account's own (Plivo's Number API): free ones can be picked, linked
ones show their campaign."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList, Static
from textual.widgets.selection_list import Selection
from textual.worker import Worker, WorkerState

from plivo_client.types import GatewayError
from plivo_client.validation import is_us_number
from receiver.wording import plural
from tui.forms.common import CSS_FILE
from tui.widgets.formatting import plus

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway


def describe_number(row: dict[str, Any]) -> tuple[str, bool]:
    """('+14155550101  free  San Francisco, CA', pickable) for one Number API object."""
    number = str(row.get("number") or "")
    campaign = row.get("tendlc_campaign_id")
    status = str(row.get("tendlc_registration_status") or "").upper()
    place = ", ".join(str(p) for p in (row.get("city"), row.get("region")) if p)
    place = place.removesuffix(", UNITED STATES")
    kind = number_kind(row)
    if kind == "other":
        state = "not a US long code: 10DLC cannot use it"
    elif kind == "linked":
        state = f"linked to {campaign} ({status.lower() or 'unknown'})"
    else:
        state = "free"
    return f"{plus(number):<14} {state}" + (f"  · {place}" if place else ""), kind == "free"


def number_kind(row: dict[str, Any]) -> str:
    """'free', 'linked' (to a campaign) or 'other' (not a US long code) for one Number API
    object."""
    number = str(row.get("number") or "")
    if str(row.get("number_type") or "local") != "local" or not is_us_number(number):
        return "other"
    return "linked" if row.get("tendlc_campaign_id") else "free"


def account_summary(rows: list[dict[str, Any]]) -> str:
    """'26 numbers on the account: 23 free, 2 linked, 1 not a US long code': the parts add up
    to the total, so no number goes uncounted."""
    kinds = Counter(number_kind(row) for row in rows)
    free, linked = kinds["free"], kinds["linked"]
    parts = [f"{free} free", f"{linked} linked"]
    if other := kinds["other"]:
        parts.append(f"{other} not a US long code" if other == 1 else f"{other} not US long codes")
    none = "" if free else " — none free to link"
    return f"{plural(len(rows), 'number')} on the account: {', '.join(parts)}{none}"


class NumberPicker(ModalScreen[tuple[str, ...] | None]):
    """The account's numbers; space picks a free one, enter or ctrl+s adds the picked ones."""

    CSS_PATH = CSS_FILE
    AUTO_FOCUS = "#account-numbers"
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("ctrl+s", "add", "Add picked", id="picker.add"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[dict[str, Any]] | None, error: str = "") -> None:
            super().__init__()
            self.rows = rows
            self.error = error

    def __init__(self, gateway: Gateway, already: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.gateway = gateway
        self.already = set(already)
        self.rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="picker"):
            yield Label("Pick from the account's numbers", id="form-title")
            yield Static("Reading the account's numbers from Plivo…", id="picker-summary")
            yield SelectionList[str](id="account-numbers")
            with Horizontal(id="form-buttons"):
                yield Label("space pick · ctrl+s add · esc cancel", id="keys-hint")
                yield Button("Add picked", variant="primary", id="submit")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False, group="load", description="numbers: read the account")
    def load(self) -> None:
        try:
            rows = self.gateway.account_numbers()
        except GatewayError as error:
            self.post_message(self.Loaded(None, error.message))
            return
        self.post_message(self.Loaded(rows))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        summary = self.query_one("#picker-summary", Static)
        if message.rows is None:
            summary.update(f"Could not read the account's numbers: {message.error}")
            return
        self.rows = message.rows
        picker = self.query_one("#account-numbers", SelectionList)
        for row in self.rows:
            text, pickable = describe_number(row)
            number = str(row.get("number") or "")
            picker.add_option(
                Selection(text, number, number in self.already and pickable, disabled=not pickable)
            )
        summary.update(account_summary(self.rows))

    def picked(self) -> tuple[str, ...]:
        return tuple(self.query_one("#account-numbers", SelectionList).selected)

    def action_add(self) -> None:
        self.dismiss(self.picked())

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_add()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.post_message(event)  # Textual does not bubble worker states: the app's handler
