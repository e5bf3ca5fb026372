"""The profiles screen: the account's business profiles, one's fields, create/update/delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Static
from textual.worker import Worker, WorkerState

from plivo_client.types import GatewayError
from receiver.wording import plural
from tui.forms.delete_confirm import ProfileDeleteConfirm
from tui.forms.profile_form import ProfileForm
from tui.widgets.fitting_footer import FittingFooter

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from plivo_client.types import Submitted

SHOWN = ("profile_alias", "company_name", "entity_type", "vertical", "ein", "website",
         "stock_symbol", "stock_exchange", "customer_type", "profile_type",
         "business_contact_email")  # fmt: skip


def profile_text(profile: dict[str, Any]) -> Text:
    """Every field of one profile, nested objects flattened ('address.city: Tampa')."""
    text = Text()
    text.append(f"{profile.get('profile_uuid', '')}\n", style="bold")
    for key, value in profile.items():
        if key == "profile_uuid" or value in (None, "", {}, []):
            continue
        if isinstance(value, dict):
            for sub, part in value.items():
                if part not in (None, ""):
                    text.append(f"{key}.{sub}: ", style="dim")
                    text.append(f"{part}\n")
        else:
            text.append(f"{key}: ", style="dim")
            text.append(f"{value}\n")
    return text


class ProfilesScreen(Screen):
    """The account's profiles, read from Plivo; c create, e edit, d delete, r refresh."""

    DEFAULT_CSS = """
    ProfilesScreen #profiles-table { height: 1fr; min-height: 5; }
    ProfilesScreen #profile-detail { height: auto; max-height: 50%; padding: 0 1;
        border-top: solid $primary 40%; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "app.pop_screen", "Back", id="profiles.back"),
        Binding("c", "create", "Create", id="profile.create"),
        Binding("e", "edit", "Edit", id="profile.update"),
        Binding("d", "delete", "Delete", id="profile.delete"),
        Binding("r", "refresh", "Refresh", id="profiles.refresh"),
    ]

    class Loaded(Message):
        def __init__(self, profiles: list[dict[str, Any]] | None, error: str = "") -> None:
            super().__init__()
            self.profiles = profiles
            self.error = error

    def __init__(self, gateway: Gateway) -> None:
        super().__init__()
        self.gateway = gateway
        self.profiles: dict[str, dict[str, Any]] = {}
        self.loaded = False
        self._before: set[str] | None = None  # the uuids listed before a create

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="profiles-body"):
            yield Label(
                "Profiles: reading from Plivo…", id="profiles-title", classes="section-title"
            )
            table = DataTable[str](id="profiles-table", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static("", id="profile-detail")
        yield FittingFooter()  # short labels at 80 columns, never a key cut

    def on_mount(self) -> None:
        self.title = "tendlc — profiles"
        table = self.query_one("#profiles-table", DataTable)
        for key, label in (("alias", "alias"), ("company", "company"), ("entity", "entity"),
                           ("ein", "EIN"), ("vertical", "vertical"), ("uuid", "uuid")):  # fmt: skip
            table.add_column(label, key=key)
        table.focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        self.loaded = False
        self.load()

    @work(thread=True, exit_on_error=False, group="profiles", description="profiles: list")
    def load(self) -> None:
        try:
            rows = self.gateway.read_profiles()
        except GatewayError as error:
            self.post_message(self.Loaded(None, error.message))
            return
        self.post_message(self.Loaded(rows))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        title = self.query_one("#profiles-title", Label)
        self.loaded = True
        if message.profiles is None:
            title.update(f"Profiles: could not read them from Plivo: {message.error}")
            return
        table = self.query_one("#profiles-table", DataTable)
        current = self.selected_uuid()
        table.clear()
        self.profiles = {str(p.get("profile_uuid")): p for p in message.profiles}
        for uuid, p in self.profiles.items():
            table.add_row(
                str(p.get("profile_alias") or ""), str(p.get("company_name") or ""),
                str(p.get("entity_type") or ""), "yes" if p.get("ein") else "no",
                str(p.get("vertical") or ""), uuid, key=uuid,
            )  # fmt: skip
        fresh = [u for u in self.profiles if self._before is not None and u not in self._before]
        self._before = None
        if fresh:  # the profile just created: selected, its fields shown
            table.move_cursor(row=table.get_row_index(fresh[0]))
        elif current in self.profiles:
            table.move_cursor(row=table.get_row_index(current))
        hint = "c create · e edit · d delete · r refresh · esc back"
        if not self.profiles:
            hint = "none yet: press c to create the first one · esc back"
        title.update(f"Profiles: {plural(len(self.profiles), 'profile')} · {hint}")
        self.show_selected()

    def selected_uuid(self) -> str | None:
        table = self.query_one("#profiles-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    @on(DataTable.RowHighlighted)
    def show_selected(self) -> None:
        uuid = self.selected_uuid()
        profile = self.profiles.get(uuid or "")
        self.query_one("#profile-detail", Static).update(profile_text(profile) if profile else "")

    def _after(self, title: str):
        def done(result: Submitted | None) -> None:
            if result is not None:
                self.notify(result.message, title=title, markup=False)
                self.action_refresh()

        return done

    def action_create(self) -> None:
        after = self._after("profile created")

        def done(result: Submitted | None) -> None:
            if result is not None:
                self._before = set(self.profiles)
            after(result)

        self.app.push_screen(ProfileForm(self.gateway), done)

    def action_edit(self) -> None:
        profile = self.profiles.get(self.selected_uuid() or "")
        if profile is None:
            self.notify("Select a profile first.", title="profile", severity="warning")
            return
        self.app.push_screen(ProfileForm(self.gateway, profile), self._after("profile updated"))

    def action_delete(self) -> None:
        uuid = self.selected_uuid()
        if uuid is None:
            self.notify("Select a profile first.", title="profile", severity="warning")
            return
        name = str(self.profiles[uuid].get("profile_alias") or "")
        confirm = ProfileDeleteConfirm(self.gateway, uuid, name)
        self.app.push_screen(confirm, self._after("profile deleted"))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.post_message(event)  # Textual does not bubble worker states: the app's handler
