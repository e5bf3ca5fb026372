"""Replay a stored callback to a URL, or copy it as a curl command (event detail and palette)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from receiver.domain.models import CallbackEvent
from receiver.resend import ReplayError, curl_command, replay
from tui.screens.prompt import PromptScreen, url_problem
from tui.workers import run_background

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tui.services import Services
    from tui.widgets.formatting import Entry


def replay_tokens(services: Services) -> tuple[str | None, str | None]:
    """The tokens that sign a replay: the sandbox's in SANDBOX mode, else the configured ones."""
    if services.sandbox is not None:
        return services.sandbox.auth_token, services.sandbox.main_auth_token
    config = services.receiver.config
    return config.auth_token, config.main_auth_token


def our_callback_url(services: Services) -> str:
    """Our receiver's callback URL (the public one: signatures are checked against it)."""
    return services.receiver.config.callback_url


class EventController:
    """`p` replay… and `c` copy as curl, for the event `selected()` returns; owned by each
    screen that shows callbacks (the main screen's log, an event's detail)."""

    def __init__(
        self, node: DOMNode, services: Services, selected: Callable[[], Entry | None]
    ) -> None:
        self.node = node
        self.services = services
        self.selected = selected

    def _callback(self, what: str) -> CallbackEvent | None:
        entry = self.selected()
        if entry is None:
            self.node.notify(
                "Select an event in the event log first.", title=what, severity="warning"
            )
            return None
        if not isinstance(entry, CallbackEvent):
            self.node.notify(
                f"{entry.id} is a request tendlc sent, not a callback: only callbacks can be "
                "replayed",
                title=what,
                severity="warning",
            )
            return None
        return entry

    def replay(self) -> None:
        event = self._callback("replay")
        if event is None:
            return
        prompt = PromptScreen(
            f"Replay callback {event.id} ({event.method}) to",
            our_callback_url(self.services),
            hint="our receiver, or your own webhook handler; signed for this URL",
            check=url_problem,
        )

        def chosen(url: str | None) -> None:
            if url:
                run_background(
                    self.node,
                    self.send_replay(event, url),
                    group="replay",
                    description=f"replay {event.id}",
                )

        self.node.app.push_screen(prompt, chosen)

    async def send_replay(self, event: CallbackEvent, url: str) -> None:
        """Re-send `event` to `url` with a fresh signature; the outcome is a toast."""
        token, main_token = replay_tokens(self.services)
        try:
            result = await replay(event, url, token=token, main_token=main_token)
        except (ReplayError, ValueError) as exc:
            self.node.notify(str(exc), title="replay failed", severity="error", timeout=10)
            return
        self.node.notify(
            f"replayed to {result.url}: HTTP {result.status}",
            title="replay",
            severity="information" if result.ok else "warning",
        )

    def copy_curl(self) -> None:
        event = self._callback("copy as curl")
        if event is None:
            return
        token, main_token = replay_tokens(self.services)
        url = our_callback_url(self.services)
        self.node.app.copy_to_clipboard(
            curl_command(event, url, token=token, main_token=main_token)
        )
        self.node.notify(f"replays {event.id} to {url}", title="curl command copied")
