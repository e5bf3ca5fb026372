"""Command palette entries for every action, with namespaced titles, per screen."""

from __future__ import annotations

from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

Command = tuple[str, str, str]  # (title, help, action on the screen the palette was opened from)

COMMANDS: tuple[Command, ...] = (
    ("brand: create…", "Register a new 10DLC brand", "new_brand"),
    ("campaign: create…", "Register a campaign under a brand", "new_campaign"),
    ("campaign: import from TCR…", "Import a campaign registered at TCR and shared with Plivo", "import_campaign"),
    ("number: link…", "Link numbers to a campaign", "link_numbers"),
    ("fix a rejection…", "A rejected campaign: edit and resubmit it; a rejected brand: fix its profile, register it again", "fix"),
    ("campaign: delete…", "Deactivate the selected campaign (cannot be undone)", "delete_selected"),
    ("brand: delete…", "Delete the selected brand (refused while it has campaigns)", "delete_selected"),
    ("brand: send OTP…", "Send the selected Starter brand's verification OTP", "brand_otp"),
    ("campaign: its numbers", "The numbers of the selected campaign, with their status here and at Plivo", "campaign_numbers"),
    ("number: bulk link from a file…", "Link every number in a CSV or one-per-line file", "bulk_link"),
    ("number: unlink all…", "Unlink every linked number of the selected campaign, after one confirm", "bulk_unlink"),
    ("profile: list, create, update, delete…", "The account's business profiles", "profiles"),
    ("number: unlink…", "Unlink the selected number from its campaign", "unlink_number"),
    ("registry: reconcile all", "Read brands, campaigns and numbers from the API and record every difference", "reconcile_all"),
    ("resource: reconcile", "Read the selected brand, campaign or number from the API", "reconcile_selected"),
    ("event: replay…", "Re-send the event selected in the log, freshly signed, to our receiver or a URL", "replay_event"),
    ("event: copy as curl", "Copy the event selected in the log as a signed curl command", "copy_curl"),
    ("log: export…", "Write the event log to a JSON lines or CSV file", "export_log"),
    ("view: filter", "Filter the rows of the current tab", "filter"),
    ("view: narrow to selection", "Show only the selected brand or campaign and what belongs to it", "narrow"),
    ("view: show everything", "Clear narrowing and filter", "clear_scope"),
    ("view: brands", "Show the brands tab", "show_tab('brand')"),
    ("view: campaigns", "Show the campaigns tab", "show_tab('campaign')"),
    ("view: numbers", "Show the numbers tab", "show_tab('number')"),
    ("view: event log", "Focus the live event log", "focus_log"),
    ("view: details", "Open the detail of the selected row", "open_detail"),
    ("callback URL: copy", "Copy the public callback URL to the clipboard", "copy_url"),
    ("help: keys", "Show every key", "help"),
)  # fmt: skip

EVENT_COMMANDS: tuple[Command, ...] = (
    ("event: replay…", "Re-send this callback, freshly signed, to our receiver or a URL", "replay_event"),
    ("event: copy as curl", "Copy this callback as a signed curl command", "copy_curl"),
)  # fmt: skip

RESOURCE_COMMANDS: tuple[Command, ...] = (
    ("resource: reconcile", "Read this resource from the API and record every difference", "reconcile"),
    ("resource: export timeline…", "Write this resource's timeline to a JSON lines or CSV file", "export_timeline"),
    ("fix a rejection…", "Open the fix form at the field the decline concerns (a campaign: resubmit; a brand: its profile, then register again)", "fix"),
    ("campaign: its numbers", "The numbers of this campaign (a number: of its campaign)", "campaign_numbers"),
)  # fmt: skip


SANDBOX_COMMANDS: tuple[Command, ...] = (
    ("sandbox: drop the next callback", "The sandbox never sends the next callback (the state still moves): see overdue and reconcile recover", "sandbox_fault('drop-callback')"),
    ("sandbox: duplicate the next callback", "The next callback arrives twice with the same nonce: a replay, never applied", "sandbox_fault('duplicate-callback:same_nonce=true')"),
    ("sandbox: deliver the next callback late", "The next callback is held back, so later ones overtake it", "sandbox_fault('delay-callback')"),
    ("sandbox: reject the next request", "The next brand or campaign request is rejected (with a decline code)", "sandbox_fault('reject')"),
    ("sandbox: fail the next API call (503)", "The next call to the sandbox API answers 503", "sandbox_fault('api-error:status=503')"),
    ("sandbox: clear faults", "Disarm every fault armed in the sandbox", "sandbox_fault('')"),
)  # fmt: skip
"""Misbehaviour on request (sandbox/faults/): offered only in sandbox mode."""


class ScreenCommands(Provider):
    """Offers `COMMAND_LIST`, each with its key; runs each on the screen the palette was
    opened from."""

    COMMAND_LIST: tuple[Command, ...] = ()

    def keys(self) -> dict[str, str]:
        """Action -> the keys that run it on this screen (and the app), as the footer shows them."""
        found: dict[str, str] = {}
        for node in (self.app, self.screen):
            for binding in getattr(type(node), "BINDINGS", []):
                if isinstance(binding, Binding):
                    keys = [
                        self.app.get_key_display(Binding(key, binding.action))
                        for key in binding.key.split(",")
                    ]
                    found[binding.action] = " / ".join(keys)
        return found

    @staticmethod
    def with_key(title: Content | str, key: str | None) -> Content:
        display = title if isinstance(title, Content) else Content(title)
        if key:
            display = Content.assemble(display, "  ", (f" {key} ", "reverse"))
        return display

    async def discover(self) -> Hits:
        keys = self.keys()
        for title, help, action in self.COMMAND_LIST:
            yield DiscoveryHit(
                self.with_key(title, keys.get(action)),
                partial(self.screen.run_action, action),
                text=title,
                help=help,
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        keys = self.keys()
        for title, help, action in self.COMMAND_LIST:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    self.with_key(matcher.highlight(title), keys.get(action)),
                    partial(self.screen.run_action, action),
                    text=title,
                    help=help,
                )


class MainCommands(ScreenCommands):
    """The main screen's actions."""

    COMMAND_LIST = COMMANDS


class SandboxCommands(ScreenCommands):
    """Sandbox faults from the palette; nothing is offered in LIVE mode."""

    COMMAND_LIST = SANDBOX_COMMANDS

    async def discover(self) -> Hits:
        if getattr(getattr(self.app, "services", None), "sandbox", None) is not None:
            async for hit in super().discover():
                yield hit

    async def search(self, query: str) -> Hits:
        if getattr(getattr(self.app, "services", None), "sandbox", None) is not None:
            async for hit in super().search(query):
                yield hit


class EventCommands(ScreenCommands):
    """An event detail's actions."""

    COMMAND_LIST = EVENT_COMMANDS


class ResourceCommands(ScreenCommands):
    """A resource detail's actions."""

    COMMAND_LIST = RESOURCE_COMMANDS
