"""What every tendlc form shares: the modal frame, inline error labels, submit progress, rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, Static, Switch, TextArea
from textual.worker import Worker, WorkerState

from plivo_client.types import GatewayError, Submitted
from tui.forms.banner import BannerState
from tui.forms.fields import Counter, FieldError, field, group_title, switch_field
from tui.forms.fit import fit_to_height

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway

__all__ = [
    "CSS_FILE", "Counter", "FieldError", "FieldRule", "FormScreen", "callback_line", "field",
    "group_title", "switch_field",
]  # fmt: skip

CSS_FILE = Path(__file__).with_name("forms.tcss")


def callback_line(gateway: Gateway) -> str:
    """The read-only line saying where Plivo will send status callbacks for this request."""
    url: Any = getattr(gateway, "callback_url", None)
    if callable(url):
        url = url()
    method = getattr(gateway, "method", None) or "POST"
    if url is None:
        return "Callbacks: URL and method are filled in by the gateway"
    if not url:
        return "Callbacks: none — no callback URL is configured, Plivo will not call back"
    return f"Callbacks: {method} {url}  (set by the gateway)"


class FieldRule(Validator):
    """Validates one field with the request's own `validate()` (tui/requests.py is the rule book)."""

    def __init__(self, form: FormScreen, name: str) -> None:
        super().__init__()
        self.form = form
        self.name = name

    def validate(self, value: str) -> ValidationResult:
        if not value.strip() and not self.form.tried:
            return self.success()  # don't scold an untouched, empty field
        message = self.form.field_errors().get(self.name)
        return self.failure(message) if message else self.success()


class FormScreen(ModalScreen[Submitted | None]):
    """A modal form: validate, submit through the gateway in a thread, dismiss with Submitted.

    Subclasses give `TITLE_TEXT`, `compose_body()`, `build_request()`, and a
    `@work(thread=True, exit_on_error=False, group="submit")` method `send(request)`
    that calls `self.deliver(...)`.
    """

    CSS_PATH = CSS_FILE
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Submit", id="form.submit"),
    ]
    TITLE_TEXT: ClassVar[str] = ""
    SUBMIT_LABEL: ClassVar[str] = "Submit"
    SUBMIT_VARIANT: ClassVar[str] = "primary"
    FAILURE_TITLE: ClassVar[str] = "Request refused"
    KEYS_HINT: ClassVar[str] = "ctrl+s submit · esc cancel"
    FIELD_ALIASES: ClassVar[Mapping[str, str]] = {}  # API field name -> form field name
    # Worker groups whose failure the form shows itself; any other group's goes to the app.
    SHOWN_HERE: ClassVar[frozenset[str]] = frozenset({"submit"})

    @dataclass
    class Accepted(Message):
        """The gateway accepted the request (posted from the submit thread)."""

        submitted: Submitted

    @dataclass
    class Refused(Message):
        """The gateway said no (posted from the submit thread); the form stays open."""

        message: str
        field: str | None = None
        journaled: bool = False  # the store's change toasts it already: one toast, not two

    def __init__(self, gateway: Gateway) -> None:
        super().__init__()
        self.gateway = gateway
        self.busy = False
        self.tried = False  # a submit was attempted: empty required fields now count as errors
        self._shown: dict[str, str] = {}
        self._banner = BannerState()
        self._focus_before: Widget | None = None
        self._opening = True  # until the body is laid out and shown from its first field

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes=self.dialog_classes()):
            yield Label(self.TITLE_TEXT, id="form-title")
            error = FieldError("", id="form-error")
            error.display = False
            yield error
            yield from self.compose_body()
            yield Static(callback_line(self.gateway), id="callback-line")
            with Horizontal(id="form-buttons"):
                yield Label(self.KEYS_HINT, id="keys-hint")
                yield Button(self.SUBMIT_LABEL, variant=self.SUBMIT_VARIANT, id="submit")  # type: ignore[arg-type]
                yield Button("Cancel", id="cancel")

    def on_resize(self, event: events.Resize) -> None:
        fit_to_height(self, event.size.height)
        if self._opening:
            self.call_after_refresh(self._show_from_the_top)

    def set_focus(
        self, widget: Widget | None, scroll_visible: bool = True, from_app_focus: bool = False
    ) -> None:
        # Opening, Textual would centre the auto-focused field (the layout not settled yet, it
        # cannot tell the field is in view): the first labels went off the top.
        super().set_focus(widget, scroll_visible and not self._opening, from_app_focus)

    def _show_from_the_top(self) -> None:
        """Opening: the body starts at its first field, scrolled only as far as the focused
        field needs (a declined field further down)."""
        self._opening = False
        for body in self.query("#form-body"):
            body.scroll_home(animate=False, immediate=True)
        if self.focused is not None:
            self.focused.scroll_visible(animate=False, immediate=True)

    def dialog_classes(self) -> str:
        return ""

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    # -- what subclasses provide -----------------------------------------------------------------

    def build_request(self) -> Any:
        """The request dataclass made from what is on screen now."""
        raise NotImplementedError

    def extra_errors(self) -> dict[str, str]:
        """Form-only checks on top of the request's own `validate()` (e.g. unparsed tokens)."""
        return {}

    def send(self, request: Any) -> None:
        """Submit `request` (a thread worker in subclasses)."""
        raise NotImplementedError

    # -- validation -----------------------------------------------------------------------------

    def field_errors(self) -> dict[str, str]:
        """Every field -> message, from the request's `validate()` plus `extra_errors()`."""
        errors = dict(self.build_request().validate())
        errors.update(self.extra_errors())
        return errors

    def show_errors(
        self,
        errors: Mapping[str, str],
        *,
        top: str | None = None,
        banner: BannerState | None = None,
    ) -> None:
        """Put each message under its field, and say in the banner (`banner`, or the note
        `top`) what stops the submit; messages with no field on screen go to the banner."""
        self._shown = dict(errors)
        self._banner = banner or BannerState(note=top)
        for error in self.query(".field-error").results(FieldError):
            name = (error.id or "").removesuffix("-error")
            error.show(errors.get(name))
            container = self.query(f"#field-{name}")
            if container:
                container.first().set_class(name in errors, "-has-error")
        self._banner.loose = {n: m for n, m in errors.items() if not self.query(f"#{n}-error")}
        self.redraw_banner()

    def redraw_banner(self) -> None:
        """Say the banner again for the errors shown now (a fixed field leaves it)."""
        if self._banner.loose:
            errors = self.field_errors()
            for name in [n for n in self._banner.loose if n not in errors]:
                self._shown.pop(name, None)
                self._banner.fixed(name)
        self.query_one("#form-error", FieldError).show(self._banner.text(self, self._shown))

    def refresh_field(self, name: str) -> None:
        """Re-check one field that shows an error, clearing it (and its banner line) once it
        is fixed."""
        if name not in self._shown:
            return
        message = self.field_errors().get(name)
        self.field_checked(name, message)

    def field_checked(self, name: str, message: str | None) -> None:
        """Show field `name`'s error (None: it is fixed) under it and in the banner."""
        if message:
            self._shown[name] = message
        else:
            self._shown.pop(name, None)
            self._banner.fixed(name)
        error = self.query(f"#{name}-error")
        if error:
            error.first(FieldError).show(message)
            self.query_one(f"#field-{name}").set_class(bool(message), "-has-error")
        self.redraw_banner()

    def first_error_widget(self, names: Iterable[str]) -> Widget | None:
        for name in names:
            found = self.query(f"#{name}")
            if found and found.first().focusable:
                return found.first()
        return None

    # -- submit ---------------------------------------------------------------------------------

    def action_submit(self) -> None:
        if self.busy:
            return
        self.tried = True
        errors = self.field_errors()
        if errors:
            self.show_errors(errors, banner=BannerState(not_sent=True))
            target = self.first_error_widget(errors)
            if target is not None:
                target.focus()
            return
        self.show_errors({})
        request = self.build_request()
        if not self.ready_to_send(request):
            return
        self.set_busy(True)
        self.send(request)

    def ready_to_send(self, request: Any) -> bool:
        """A last check on the loop before sending; False holds the request (e.g. to ask)."""
        return True

    def action_cancel(self) -> None:
        if self.busy:
            return  # the request is on its way; its answer must not be lost
        self.dismiss(None)

    def set_busy(self, busy: bool) -> None:
        """Disable the buttons while a request is on its way; give the focus back after."""
        if busy:
            self._focus_before = self.focused
        self.busy = busy
        button = self.query_one("#submit", Button)
        button.disabled = busy
        button.label = "Submitting…" if busy else self.SUBMIT_LABEL
        self.query_one("#cancel", Button).disabled = busy
        if not busy and self._focus_before is not None and self._focus_before.is_attached:
            self.set_focus(self._focus_before)

    def deliver(self, call: Callable[[], Submitted]) -> None:
        """Run the gateway call (in the submit thread) and post its outcome to the screen."""
        try:
            submitted = call()
        except GatewayError as error:
            self.post_message(self.Refused(error.message, error.field, error.journaled))
            return
        self.post_message(self.Accepted(submitted))

    @on(Accepted)
    def _accepted(self, message: Accepted) -> None:
        self.set_busy(False)
        if message.submitted.journal_error:
            self.notify(
                f"Plivo accepted it, but it was not journaled: {message.submitted.journal_error}",
                title="Not recorded",
                severity="warning",
            )
        self.dismiss(message.submitted)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self.set_busy(False)
        errors: dict[str, str] = {}
        name = self.FIELD_ALIASES.get(message.field or "", message.field)
        if name and self.query(f"#{name}-error"):
            errors[name] = message.message
        self.show_errors(errors, banner=BannerState(refused=message.message, refused_field=name))
        target = self.first_error_widget(errors)
        if target is not None:
            target.focus()
        if not message.journaled:
            self.notify(message.message, title=self.FAILURE_TITLE, severity="error")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Anything other than a GatewayError that broke the submit thread is refused inline;
        another worker's failure (use cases, reconcile first) goes to the app's handler, as
        Textual does not bubble worker states."""
        if event.state is not WorkerState.ERROR:
            return
        if event.worker.group == "submit":
            self.post_message(self.Refused(f"unexpected error: {event.worker.error}"))
        elif event.worker.group not in self.SHOWN_HERE:
            self.app.post_message(event)

    # -- events ---------------------------------------------------------------------------------

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    @on(Input.Blurred)
    def _input_blurred(self, event: Input.Blurred) -> None:
        name = event.input.id or ""
        result = event.validation_result
        error = self.query(f"#{name}-error")
        if result is None or not error:
            return
        self.field_checked(name, "; ".join(result.failure_descriptions) or None)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        counters = self.query(f"#{name}-count")
        if counters:
            counters.first(Counter).count(event.value)
        if name in self._shown:
            event.input.validate(event.value)
            self.refresh_field(name)

    @on(Select.Changed)
    @on(Switch.Changed)
    @on(SelectionList.SelectedChanged)
    @on(TextArea.Changed)
    def _other_changed(self, event: Message) -> None:
        widget = getattr(event, "control", None)
        if widget is not None and widget.id:
            self.refresh_field(widget.id)
