"""Bulk link from a file (CSV or one number per line) and bulk unlink with one confirm: links
go in batches (plivo_client.bulk), unlinks one request per number, with a progress bar and each
number's result as it comes back, then its outcome as its callback (or reconcile) settles it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Select, Static
from textual.worker import Worker, WorkerState

from plivo_client.bulk import SENT, NumberResult, link_in_batches, refusal_reason
from plivo_client.number_files import numbers_in_text
from plivo_client.types import GatewayError
from plivo_client.validation import is_us_number, not_us_message
from receiver.domain.declines import rejection_brief
from receiver.domain.models import Badge, Cycle, Resource, ResourceType
from receiver.wording import plural
from tui.forms.common import CSS_FILE, FieldError, field
from tui.messages import RegistryChanged, follow_store
from tui.widgets.formatting import plus

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from receiver.domain.registry import Registry
    from receiver.store.store import Store


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """What a bulk run did: the numbers sent (awaiting callbacks) and those refused."""

    campaign_id: str
    sent: tuple[str, ...]
    refused: tuple[str, ...]


class BulkRun(ModalScreen[BulkOutcome | None]):
    """The shared frame: a body, then a progress bar and a per-number result table."""

    CSS_PATH = CSS_FILE
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "cancel", "Cancel", id="bulk.cancel"),
        Binding("ctrl+s", "submit", "Run", id="bulk.run"),
    ]
    TITLE_TEXT: ClassVar[str] = ""
    RUN_LABEL: ClassVar[str] = "Run"
    VERB: ClassVar[str] = "sent"
    CYCLE: ClassVar[Cycle] = Cycle.LINK  # the cycle whose end is each number's outcome
    SUCCESS: ClassVar[Badge] = Badge.LINKED

    @dataclass
    class Done(Message):
        """One number's answer (posted from the run thread)."""

        number: str
        ok: bool
        text: str

    class Finished(Message):
        """Every number has been answered."""

    def __init__(self, gateway: Gateway, store: Store | None = None) -> None:
        super().__init__()
        self.gateway = gateway
        self.store = store  # followed once the run starts: each number's outcome lands live
        self.campaign_id = ""
        self.running = False
        self.finished = False
        self.sent: list[str] = []
        self.refused: list[str] = []
        self.outcomes: dict[str, bool] = {}  # number -> its cycle ended well (callback/API)
        self._unfollow: Callable[[], None] | None = None

    def dialog_classes(self) -> str:
        return "bulk"

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes=self.dialog_classes()):
            yield Label(self.TITLE_TEXT, id="form-title")
            error = FieldError("", id="form-error")
            error.display = False
            yield error
            yield from self.compose_body()
            bar = ProgressBar(total=1, show_eta=False, id="bulk-progress")
            bar.display = False
            yield bar
            table = DataTable[str](id="bulk-results", cursor_type="row", zebra_stripes=True)
            table.display = False
            yield table
            yield Static("", id="bulk-summary")
            with Horizontal(id="form-buttons"):
                yield Label("ctrl+s run · esc cancel", id="keys-hint")
                yield Button(self.RUN_LABEL, variant=self.run_variant(), id="submit")  # type: ignore[arg-type]
                yield Button("Cancel", id="cancel")

    def run_variant(self) -> str:
        return "primary"

    def started(self) -> None:
        """The run began: make room for the results (the inputs are settled now)."""

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def numbers(self) -> list[str]:
        raise NotImplementedError

    def problems(self) -> str | None:
        """Why the run cannot start now, or None."""
        return None

    def send_one(self, number: str) -> str:
        """Send one number's request (in the run thread); returns the line to show."""
        raise NotImplementedError

    # -- running ---------------------------------------------------------------------------
    def action_submit(self) -> None:
        if self.finished:
            self.action_cancel()
            return
        if self.running:
            return
        problem = self.problems()
        self.query_one("#form-error", FieldError).show(problem)
        if problem:
            return
        numbers = self.numbers()
        self.running = True
        self.started()
        self.query_one("#submit", Button).disabled = True
        self.query_one("#cancel", Button).disabled = True
        bar = self.query_one("#bulk-progress", ProgressBar)
        bar.update(total=len(numbers), progress=0)
        bar.display = True
        table = self.query_one("#bulk-results", DataTable)
        table.add_column("number", key="number", width=12)  # "+14155550101": no more, so a
        # reason fits beside it at 80 columns ("✗ failed: The carriers rejected … campaign.")
        table.add_column("result", key="result")
        for number in numbers:
            table.add_row(plus(number), "waiting", key=number)
        table.display = True
        if self.store is not None:
            self._unfollow = follow_store(self.store, self)
        self.run(tuple(numbers))

    def results(self, numbers: tuple[str, ...]) -> Iterator[NumberResult]:
        """Each number's answer (in the run thread): one request per number by default."""
        for number in numbers:
            try:
                yield NumberResult(number, True, self.send_one(number))
            except GatewayError as error:
                yield NumberResult(number, False, refusal_reason(error))

    @work(thread=True, exit_on_error=False, group="submit", description="numbers: bulk")
    def run(self, numbers: tuple[str, ...]) -> None:
        for result in self.results(numbers):
            self.post_message(self.Done(result.number, result.ok, result.text))
        self.post_message(self.Finished())

    @on(Done)
    def _done(self, message: Done) -> None:
        (self.sent if message.ok else self.refused).append(message.number)
        table = self.query_one("#bulk-results", DataTable)
        mark = "✓ " if message.ok else "✗ "
        if message.number not in self.outcomes:  # its callback may have come first
            table.update_cell(message.number, "result", mark + message.text, update_width=True)
        table.move_cursor(row=table.get_row_index(message.number))
        self.query_one("#bulk-progress", ProgressBar).advance(1)

    def on_registry_changed(self, message: RegistryChanged) -> None:
        table = self.query_one("#bulk-results", DataTable)
        for res in message.change.resources:
            if (
                res.type is not ResourceType.NUMBER
                or res.id not in table.rows
                or res.id in self.refused
                or res.cycle is not self.CYCLE
                or not res.cycle_terminal
            ):
                continue
            self.outcomes[res.id] = res.badge is self.SUCCESS
            table.update_cell(res.id, "result", self.outcome_text(res), update_width=True)
        if self.finished:
            self._summarise()

    def outcome_text(self, res: Resource) -> str:
        """A number's settled result: '✓ linked', or '✗ failed: the reason'."""
        if res.badge is self.SUCCESS:
            return f"✓ {res.badge.value}"
        why = rejection_brief("number", res.detail)
        word = "unlink failed" if self.CYCLE is Cycle.UNLINK else res.badge.value
        return f"✗ {word}: {why}" if why else f"✗ {word}"

    def _summarise(self) -> None:
        told = f"{plural(len(self.sent), 'number')} {self.VERB}"
        settled = [n for n in self.sent if n in self.outcomes]
        if settled:
            good = sum(self.outcomes[n] for n in settled)
            told = f"{good} {self.SUCCESS.value}, {len(settled) - good} failed"
            if waiting := len(self.sent) - len(settled):
                told += f", {waiting} awaiting callbacks"
        if self.refused:
            told += f", {len(self.refused)} refused (see each one's reason)"
        self.query_one("#bulk-summary", Static).update(told)

    def on_unmount(self) -> None:
        if self._unfollow is not None:
            self._unfollow()

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self.running, self.finished = False, True
        button = self.query_one("#submit", Button)
        button.label, button.disabled, button.variant = "Close", False, "default"
        self.query_one("#cancel", Button).display = False
        self.query_one("#keys-hint", Label).update("enter or esc close")
        self.query_one("#form-error", FieldError).show(None)
        self._summarise()  # said here, on the dialog: the numbers' own toasts follow
        button.focus()

    def action_cancel(self) -> None:
        if self.running:
            return  # requests are on their way: their answers must not be lost
        if self.finished:
            self.dismiss(BulkOutcome(self.campaign_id, tuple(self.sent), tuple(self.refused)))
        else:
            self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        if event.worker.group == "submit":
            self.post_message(self.Finished())
        self.app.post_message(event)  # the app's one handler says what broke


class BulkLinkScreen(BulkRun):
    """Link every number in a file to an active campaign, in batches."""

    TITLE_TEXT = "Bulk link numbers from a file"
    RUN_LABEL = "Link all"
    VERB = "sent: awaiting callbacks"
    AUTO_FOCUS = "#path"

    def __init__(
        self,
        gateway: Gateway,
        registry: Registry,
        campaign_id: str | None = None,
        *,
        store: Store | None = None,
    ) -> None:
        super().__init__(gateway, store)
        campaigns = registry.all(ResourceType.CAMPAIGN)
        self.campaigns = [c for c in campaigns if c.badge == Badge.REGISTERED]
        ids = [c.id for c in self.campaigns]
        self.initial = campaign_id if campaign_id in ids else (ids[0] if len(ids) == 1 else None)
        self.valid: list[str] = []
        self.invalid: list[str] = []
        self.read_error = ""

    def compose_body(self) -> ComposeResult:
        options = [(f"{c.id}  {c.name}".rstrip(), c.id) for c in self.campaigns]
        yield field(
            "Campaign",
            Select[str](
                options,
                prompt="Choose an active campaign" if options else "No active campaign yet",
                value=self.initial or Select.NULL,
                id="campaign_id",
            ),
        )
        yield field(
            "File",
            Input(placeholder="numbers.csv or numbers.txt", id="path"),
            hint="CSV or one number per line; a header line is skipped",
        )
        yield Static(
            "No file read yet: type its path, enter reads it", id="file-preview", classes="note"
        )

    @on(Input.Submitted, "#path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.read_file(event.value)

    def read_file(self, path: str) -> None:
        self.valid, self.invalid, self.read_error = [], [], ""
        preview = self.query_one("#file-preview", Static)
        if not path.strip():  # Path("") is the current directory: say what is missing
            preview.update("No file read yet: type its path, enter reads it")
            return
        try:
            text = Path(path.strip()).expanduser().read_text("utf-8")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            self.read_error = f"cannot read {path.strip() or 'the file'}: {exc}"
            preview.update(self.read_error)
            return
        self.valid, self.invalid = numbers_in_text(text)
        lines = [f"{plural(len(self.valid), 'number')} in the file"]
        if self.valid:
            lines[0] += ": " + ", ".join(plus(n) for n in self.valid[:4])
            lines[0] += f", … and {len(self.valid) - 4} more" if len(self.valid) > 4 else ""
        if self.invalid:
            lines.append(f"Not numbers: {', '.join(self.invalid[:8])}")
        foreign = [n for n in self.valid if not is_us_number(n)]
        if foreign:
            lines.append(not_us_message(foreign))
        preview.update("\n".join(lines))

    def problems(self) -> str | None:
        campaign = self.query_one("#campaign_id", Select).value
        self.campaign_id = campaign if isinstance(campaign, str) else ""
        path = self.query_one("#path", Input).value
        if path.strip() and not (self.valid or self.invalid or self.read_error):
            self.read_file(path)
        if not self.campaign_id:
            return "Not sent: choose an active campaign"
        if self.read_error:
            return f"Not sent: {self.read_error}"
        if self.invalid:
            return f"Not sent: the file has tokens that are not numbers ({', '.join(self.invalid[:5])})"
        foreign = [n for n in self.valid if not is_us_number(n)]
        if foreign:
            return f"Not sent: {not_us_message(foreign)}"
        if not self.valid:
            return "Not sent: no numbers read yet (type the file's path, then enter)"
        return None

    def numbers(self) -> list[str]:
        return list(self.valid)

    def started(self) -> None:
        self.query_one("#field-campaign_id").display = False
        self.query_one("#field-path").display = False
        path = self.query_one("#path", Input).value.strip()
        preview = self.query_one("#file-preview", Static)
        preview.update(
            f"Linking {plural(len(self.valid), 'number')} from {path} to campaign "
            f"{self.campaign_id}"
        )

    def results(self, numbers: tuple[str, ...]) -> Iterator[NumberResult]:
        """A batch per request; a number gets a request of its own only when Plivo's refusal
        of its batch named another number (plivo_client.bulk)."""
        return link_in_batches(self.gateway, self.campaign_id, numbers)


class BulkUnlinkScreen(BulkRun):
    """Unlink the given numbers from one campaign after one confirm; Cancel has the focus."""

    TITLE_TEXT = "Unlink numbers"
    RUN_LABEL = "Unlink all"
    VERB = "unlink sent: awaiting callbacks"
    CYCLE = Cycle.UNLINK
    SUCCESS = Badge.UNLINKED
    AUTO_FOCUS = "#cancel"

    def __init__(
        self, gateway: Gateway, campaign_id: str, numbers: list[str], *, store: Store | None = None
    ) -> None:
        super().__init__(gateway, store)
        self.campaign_id = campaign_id
        self.targets = list(numbers)

    def dialog_classes(self) -> str:
        return "bulk -destructive"

    def run_variant(self) -> str:
        return "error"

    def compose_body(self) -> ComposeResult:
        shown = ", ".join(plus(n) for n in self.targets[:6])
        more = f", … and {len(self.targets) - 6} more" if len(self.targets) > 6 else ""
        yield Static(
            f"Unlink {plural(len(self.targets), 'number')} from campaign "
            f"[b]{self.campaign_id}[/b]?\n{shown}{more}\n\nTheir messages stop being sent under "
            "this campaign's registration: carriers may filter or block them until they are "
            "linked to another campaign.",
            id="confirm-text",
        )

    def problems(self) -> str | None:
        return None if self.targets else "Nothing to unlink: the campaign has no linked numbers"

    def numbers(self) -> list[str]:
        return list(self.targets)

    def send_one(self, number: str) -> str:
        # Plivo unlinks one number per request (DELETE …/Number/{number}): no batch to send.
        submitted = self.gateway.unlink_number(self.campaign_id, number)
        return submitted.journal_error or SENT
