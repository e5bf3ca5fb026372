"""Badges and the tunnel state take their colours from the theme, and follow a theme change."""

from __future__ import annotations

from rich.color import Color as RichColor
from textual.app import App
from textual.widgets import DataTable

from receiver.domain.models import Badge
from receiver.store.store import Store
from tui.app import make_app
from tui.screens.detail import ResourceDetailScreen
from tui.widgets.badges import BADGE_COLOURS, badge_styles, badge_text
from tui.widgets.status_bar import TUNNEL_STYLES

SIZE = (120, 40)
T0 = 1_767_225_600.0


def _variables(theme: str) -> dict[str, str]:
    app = App()
    app.theme = theme
    return app.get_css_variables()


def _rich(value: str) -> RichColor:
    return RichColor.parse(value[:7])


def test_every_badge_has_theme_colours() -> None:
    assert set(BADGE_COLOURS) == set(Badge)
    for theme in ("textual-dark", "textual-light", "nord"):
        variables = _variables(theme)
        styles = badge_styles(variables)
        for badge, (text, background) in BADGE_COLOURS.items():
            assert text in variables and background in variables, (theme, badge)
            assert styles[badge].color is not None and styles[badge].bgcolor is not None
        assert styles[Badge.REGISTERED].color == _rich(variables["text-success"])
        assert styles[Badge.REJECTED].bgcolor == _rich(variables["error-muted"])


def test_badges_differ_between_dark_and_light() -> None:
    dark, light = (
        badge_styles(_variables("textual-dark")),
        badge_styles(_variables("textual-light")),
    )
    assert dark[Badge.REGISTERED] != light[Badge.REGISTERED]


def test_an_unknown_status_is_the_unknown_pill() -> None:
    variables = _variables("textual-dark")
    assert badge_text("no-such-status", variables).plain.strip() == "unknown"


def test_tunnel_states_are_theme_variables() -> None:
    assert {k: v for k, v in TUNNEL_STYLES.items() if k != "off"} == {
        "up": "$text-success",
        "starting": "$text-warning",
        "down": "$text-error",
    }


def _badge_bg(cell) -> RichColor | None:
    (span,) = cell.spans
    return span.style.bgcolor


async def test_a_theme_change_recolours_drawn_badges(
    tmp_path, fill_registry, still_receiver
) -> None:
    store = Store.open(tmp_path / "store", clock=lambda: T0)
    await fill_registry(store)
    app = make_app(
        store=store, receiver=still_receiver, gateway=None, clock=lambda: T0, overdue_after=None
    )
    app.theme = "textual-dark"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#brand-table")
        dark = _badge_bg(table.get_cell("BACME01", "badge"))
        table.focus()
        await pilot.press("enter")
        detail = app.screen
        assert isinstance(detail, ResourceDetailScreen)
        timeline = detail.query_one("#timeline", DataTable)
        last = str(timeline.row_count - 1)  # registered, as in the table
        assert _badge_bg(timeline.get_cell(last, "badge")) == dark

        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()

        light = _rich(app.theme_variables["success-muted"])
        assert light != dark
        assert _badge_bg(timeline.get_cell(last, "badge")) == light
        await pilot.press("escape")
        assert _badge_bg(table.get_cell("BACME01", "badge")) == light
    await store.close()
