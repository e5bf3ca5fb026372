"""Small modals: one line of input (a URL, a file path), and a choice between a few buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Function
from textual.widgets import Button, Input, Label, Static

MODAL_CSS = """
PromptScreen, ChoiceScreen { align: center middle; }
PromptScreen > Vertical, ChoiceScreen > Vertical {
    width: 84; max-width: 100%; height: auto; padding: 1 2; border: thick $accent;
    background: $surface;
}
PromptScreen .prompt-title, ChoiceScreen .prompt-title { text-style: bold; margin-bottom: 1; }
PromptScreen .prompt-hint { color: $text-muted; margin-top: 1; }
PromptScreen .prompt-error { color: $error; height: auto; }
ChoiceScreen .choice-text { margin-bottom: 1; }
ChoiceScreen Horizontal { height: auto; align-horizontal: right; }
ChoiceScreen Button { margin-left: 1; }
"""


def url_problem(text: str) -> str | None:
    """Why `text` is not an http(s) URL, or None."""
    value = text.strip()
    if not value.startswith(("http://", "https://")):
        return "must start with http:// or https://"
    if len(value.split("://", 1)[1].split("/", 1)[0]) == 0:
        return "needs a host, e.g. http://127.0.0.1:8000/hook"
    return None


class PromptScreen(ModalScreen[str | None]):
    """Ask for one value; enter accepts it when `check` finds nothing wrong, esc cancels."""

    DEFAULT_CSS = MODAL_CSS
    AUTO_FOCUS = "#prompt-input"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(
        self,
        title: str,
        value: str,
        *,
        hint: str = "",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.hint = hint
        self.check = check or (lambda _: None)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="prompt-title")
            yield Input(
                self.value,
                id="prompt-input",
                validators=[Function(lambda v: self.check(v) is None)],
                validate_on=["submitted"],
            )
            error = Static("", id="prompt-error", classes="prompt-error")
            error.display = False
            yield error
            yield Static(f"{self.hint}\n[dim]enter accept · esc cancel[/]", classes="prompt-hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self.check(event.value)
        error = self.query_one("#prompt-error", Static)
        error.update(problem or "")
        error.display = problem is not None
        if problem is None:
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """A message and a few buttons; dismissed with the pressed button's id, esc gives None."""

    DEFAULT_CSS = MODAL_CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, text: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.choices = choices  # (id, label); the first gets the focus

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="prompt-title")
            yield Static(self.text, classes="choice-text", markup=False)
            with Horizontal():
                for index, (id, label) in enumerate(self.choices):
                    yield Button(label, id=id, variant="warning" if index == 0 else "default")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(f"#{self.choices[0][0]}", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None if event.button.id == "cancel" else event.button.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
