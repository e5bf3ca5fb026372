"""The pieces of one form field: its label (and counter), the widget, its inline error."""

from __future__ import annotations

from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label, Static, Switch


class FieldError(Static):
    """The one-line inline error under a field; hidden while empty."""

    def show(self, message: str | None) -> None:
        self.update(message or "")
        self.display = bool(message)


class Counter(Static):
    """A live '38/40' counter for a field with a minimum length."""

    def __init__(self, minimum: int, *, id: str) -> None:
        super().__init__(f"0/{minimum}", id=id, classes="counter")
        self.minimum = minimum

    def count(self, text: str) -> None:
        length = len(text.strip())
        self.update(f"{length}/{self.minimum}")
        self.set_class(length >= self.minimum, "-ok")


def field(
    label: str,
    widget: Widget,
    *,
    name: str | None = None,
    hint: str = "",
    counter: int | None = None,
) -> Vertical:
    """Label (and optional counter) above `widget`, an inline error label below it.

    `name` is the request field the widget edits; it defaults to the widget's id.
    """
    name = name or widget.id or ""
    head: list[Widget] = [Label(label, classes="field-label")]
    if hint:
        head.append(Label(hint, classes="field-hint"))
    if counter is not None:
        head.append(Counter(counter, id=f"{name}-count"))
    error = FieldError("", id=f"{name}-error", classes="field-error")
    error.display = False
    return Vertical(
        Horizontal(*head, classes="field-head"), widget, error, id=f"field-{name}", classes="field"
    )


def group_title(text: str) -> Label:
    """A small heading over a group of fields."""
    return Label(text, classes="group-title")


def switch_field(label: str, name: str, value: bool) -> Vertical:
    """A Switch with its label to the right, and an inline error label."""
    error = FieldError("", id=f"{name}-error", classes="field-error")
    error.display = False
    return Vertical(
        Horizontal(Switch(value=value, id=name), Label(label, classes="switch-label")),
        error,
        id=f"field-{name}",
        classes="field switch-field",
    )
