"""A footer that fits its width: short labels, then fewer keys, never a key cut in half.

Textual's Footer lays its keys out on one line and cuts whatever passes the edge (at 80
columns the main screen ended at `y Copy U`). This one measures first: the full labels if
they fit, else compact spacing with short labels, else it leaves out the keys ranked lowest
(`?` lists every key, and the command palette offers every action).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def full_width(keys: Sequence[tuple[str, str]]) -> int:
    """Cells Footer takes for (key display, label) pairs in its roomy style."""
    return sum(len(key) + 2 + len(label) + 1 for key, label in keys)


def compact_width(keys: Sequence[tuple[str, str]]) -> int:
    """Cells in the compact style: `k label` and one blank after each."""
    return sum(len(key) + (1 + len(label) if label else 0) + 1 for key, label in keys)


class FittingFooter(Footer):
    """`short`: action -> short label; `leave_out`: actions to leave out first, in order."""

    PALETTE_CELLS = 12  # `^p palette` with its border, docked right

    def __init__(
        self,
        *,
        short: Mapping[str, str] | None = None,
        leave_out: Sequence[str] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.short = dict(short or {})
        self.leave_out = tuple(leave_out)
        self.left_out: tuple[str, ...] = ()  # what the current width could not show
        self._fitted_width = -1

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fitted_width:
            self._fitted_width = event.size.width
            self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        bindings = self.screen.active_bindings
        shown = []
        seen: set[str] = set()
        for _node, binding, enabled, tooltip in bindings.values():
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                shown.append((binding, enabled, tooltip))
        room = (self.size.width or self.app.size.width) - self.PALETTE_CELLS

        def pairs(items, labels) -> list[tuple[str, str]]:
            return [(self.app.get_key_display(b), labels(b)) for b, _, _ in items]

        compact = full_width(pairs(shown, lambda b: b.description)) > room
        labels = (lambda b: self.short.get(b.action, b.description)) if compact else None
        left_out: list[str] = []
        for action in self.leave_out:
            if not compact or compact_width(pairs(shown, labels)) <= room:
                break
            if any(b.action == action for b, _, _ in shown):
                shown = [item for item in shown if item[0].action != action]
                left_out.append(action)
        self.left_out = tuple(left_out)
        self.set_reactive(Footer.compact, compact)
        self.set_class(compact, "-compact")
        for binding, enabled, tooltip in shown:
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                labels(binding) if labels else binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        palette = bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette:
            _node, binding, enabled, tooltip = palette
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )
