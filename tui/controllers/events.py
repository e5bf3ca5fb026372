"""Replay a stored callback to a URL, or copy it as a curl command (event detail and palette)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from receiver.domain.models import CallbackEvent
from receiver.resend import ReplayError, curl_command, replay
from tui.screens.prompt import PromptScreen, url_problem

if TYPE_CHECKING:
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


class EventActions:
    """Mixin for a screen that shows callbacks: `p` replay…, `c` copy as curl."""

    services: Services

    def selected_entry(self) -> Entry | None:
        """The event the actions apply to."""
        raise NotImplementedError

    def _callback(self, what: str) -> CallbackEvent | None:
        entry = self.selected_entry()
        if entry is None:
            self.notify("Select an event in the event log first.", title=what, severity="warning")
            return None
        if not isinstance(entry, CallbackEvent):
            self.notify(
                f"{entry.id} is a request tendlc sent, not a callback: only callbacks can be "
                "replayed",
                title=what,
                severity="warning",
            )
            return None
        return entry

    def action_replay_event(self) -> None:
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
                self.run_worker(
                    self.send_replay(event, url),
                    group="replay",
                    description=f"replay {event.id}",
                    exit_on_error=False,
                )

        self.app.push_screen(prompt, chosen)

    async def send_replay(self, event: CallbackEvent, url: str) -> None:
        """Re-send `event` to `url` with a fresh signature; the outcome is a toast."""
        token, main_token = replay_tokens(self.services)
        try:
            result = await replay(event, url, token=token, main_token=main_token)
        except (ReplayError, ValueError) as exc:
            self.notify(str(exc), title="replay failed", severity="error", timeout=10)
            return
        self.notify(
            f"replayed to {result.url}: HTTP {result.status}",
            title="replay",
            severity="information" if result.ok else "warning",
        )

    def action_copy_curl(self) -> None:
        event = self._callback("copy as curl")
        if event is None:
            return
        token, main_token = replay_tokens(self.services)
        url = our_callback_url(self.services)
        self.app.copy_to_clipboard(curl_command(event, url, token=token, main_token=main_token))
        self.notify(f"replays {event.id} to {url}", title="curl command copied")
