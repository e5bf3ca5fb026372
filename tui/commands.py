"""Command palette entries for every action on the main screen, with namespaced titles."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (title, help, action on the main screen)
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("brand: create…", "Register a new 10DLC brand", "new_brand"),
    ("campaign: create…", "Register a campaign under a brand", "new_campaign"),
    ("number: link…", "Link numbers to a campaign", "link_numbers"),
    ("number: unlink…", "Unlink the selected number from its campaign", "unlink_number"),
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


class MainCommands(Provider):
    """Offers the main screen's actions; runs them on the screen the palette was opened from."""

    async def discover(self) -> Hits:
        for title, help, action in COMMANDS:
            yield DiscoveryHit(title, partial(self.screen.run_action, action), help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help, action in COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.screen.run_action, action),
                    help=help,
                )
