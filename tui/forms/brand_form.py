"""The "create brand" form: pick a profile, name the brand, choose its type, submit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Select, Static, Switch
from textual.worker import Worker, WorkerState

from plivo_client.fees import fee_lines
from plivo_client.types import GatewayError, Profile
from plivo_client.validation import BrandRequest
from receiver.domain import vocab
from tui.forms.common import FieldRule, FormScreen, field, group_title, switch_field
from tui.forms.duplicate import DuplicateGuard
from tui.forms.findings import fees_note
from tui.forms.profile_form import ProfileForm

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from plivo_client.preflight import Preflight
    from tui.forms.brand_fix import BrandAgain

NEW_PROFILE = "\x00new-profile"  # the profile list's last entry: not a uuid Plivo would give
NEW_PROFILE_LABEL = "new profile…  (F4)"


def profile_label(profile: Profile) -> str:
    """'alias — company', marked when the profile has no EIN (STARTER brands only)."""
    name = profile.alias or profile.uuid
    label = f"{name} — {profile.company_name}" if profile.company_name else name
    return label if profile.has_ein else f"{label}  (no EIN: STARTER only)"


class BrandForm(FormScreen):
    """Register a 10DLC brand for one of the account's profiles."""

    AUTO_FOCUS = "#profile_uuid"
    TITLE_TEXT = "Create brand"
    SUBMIT_LABEL = "Create brand"
    FAILURE_TITLE = "Brand not created"
    FIELD_ALIASES: ClassVar[dict[str, str]] = {"brand_alias": "alias"}
    SHOWN_HERE = frozenset({"submit", "load"})
    BINDINGS = [
        *FormScreen.BINDINGS,
        Binding("f4", "new_profile", "New profile…", id="brand.profile"),
    ]
    KEYS_HINT = "f4 profile · ctrl+s submit · esc cancel"  # whole beside the buttons at 80

    @dataclass
    class ProfilesLoaded(Message):
        """The profile list arrived from the gateway (posted from the load thread)."""

        profiles: list[Profile]
        error: str | None = None

    def __init__(
        self,
        gateway: Gateway,
        *,
        preflight: Preflight | None = None,
        again: BrandAgain | None = None,
    ) -> None:
        super().__init__(gateway)
        self.again = again  # step 2 of fixing a rejected brand: register it again
        self.replaced = False  # the rejected brand it replaces was deleted
        if again is not None:
            self.TITLE_TEXT = f"Fix rejected brand {again.brand_id}: 2. register it again"
            self.SUBMIT_LABEL = "Register again"
            self.AUTO_FOCUS = "#alias"  # the profile is chosen; the alias is what to review
        self.profiles: dict[str, Profile] = {}
        self.profiles_before_new: set[str] | None = None  # set while an F4 profile is loading
        self.preflight = preflight
        self.duplicates = DuplicateGuard(self, "brand.create", preflight)

    def ready_to_send(self, request: BrandRequest) -> bool:
        return self.duplicates.ready(request)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="form-body"):
            if self.again is not None:
                yield Static(again_note(self.again), id="again-note", classes="note")
            yield field(
                "Profile",
                Select[str]([], prompt="Loading profiles…", id="profile_uuid"),
                hint="the business this brand registers",
            )
            note = Static("", id="profile-note", classes="note")
            note.display = False
            yield note
            yield field(
                "Alias",
                Input(
                    placeholder="a name to recognise the brand by",
                    id="alias",
                    validators=[FieldRule(self, "alias")],
                    validate_on=["blur"],
                ),
            )
            yield field(
                "Brand type",
                Select[str](
                    [(t, t) for t in vocab.BRAND_TYPES],
                    value="STANDARD",
                    allow_blank=False,
                    id="brand_type",
                ),
                hint="STANDARD needs an EIN; STARTER is for individuals",
            )
            yield switch_field(
                "Secondary vetting (STANDARD only; extra fee)", "secondary_vetting", False
            )
            yield field(
                "Contact email",
                Input(
                    placeholder="optional: name@example.com",
                    id="business_contact_email",
                    validators=[FieldRule(self, "business_contact_email")],
                    validate_on=["blur"],
                ),
            )
            yield group_title("Fees (as published)")
            yield fees_note("brand_create")

    def on_mount(self) -> None:
        again = self.again
        if again is not None:
            self.query_one("#alias", Input).value = again.alias
            self.query_one("#brand_type", Select).value = again.brand_type
            self.query_one("#secondary_vetting", Switch).value = again.secondary_vetting
        self.load_profiles()

    @work(thread=True, exit_on_error=False, group="load", description="brand form: load profiles")
    def load_profiles(self) -> None:
        try:
            profiles = self.gateway.list_profiles()
        except GatewayError as error:
            self.post_message(self.ProfilesLoaded([], error.message))
            return
        self.post_message(self.ProfilesLoaded(list(profiles)))

    @on(ProfilesLoaded)
    def _profiles_loaded(self, message: ProfilesLoaded) -> None:
        self.show_profiles(message.profiles, message.error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group == "load" and event.state == WorkerState.ERROR:
            self.show_profiles([], f"unexpected error: {event.worker.error}")

    def show_profiles(self, profiles: Sequence[Profile], error: str | None) -> None:
        self.profiles = {p.uuid: p for p in profiles}
        select = self.query_one("#profile_uuid", Select)
        options = [(profile_label(p), p.uuid) for p in profiles]
        select.set_options([*options, (NEW_PROFILE_LABEL, NEW_PROFILE)])
        select.prompt = "Choose a profile" if profiles else "No profile available"
        note = self.query_one("#profile-note", Static)
        if error:
            note.update(f"Could not load profiles: {error}")
        elif not profiles:
            note.update("This account has no profile yet: press F4 to create one.")
        note.display = bool(error or not profiles)
        note.set_class(bool(error), "-warning")
        if len(profiles) == 1:
            select.value = profiles[0].uuid
        if self.again is not None and self.again.profile_uuid in self.profiles:
            select.value = self.again.profile_uuid
        before = self.profiles_before_new
        fresh = [p.uuid for p in profiles if before is not None and p.uuid not in before]
        if fresh:
            select.value = fresh[0]  # the profile just created with F4
            self.profiles_before_new = None

    def action_new_profile(self) -> None:
        """F4: create a profile when none fits; the new one is then chosen here."""
        before = set(self.profiles)

        def created(result: object) -> None:
            if result is not None:
                self.profiles_before_new = before
                self.load_profiles()

        self.app.push_screen(ProfileForm(self.gateway), created)

    @on(Select.Changed, "#profile_uuid")
    def _profile_changed(self, event: Select.Changed) -> None:
        if event.value == NEW_PROFILE:  # the list's last entry: the same as F4
            event.select.value = Select.NULL
            self.action_new_profile()

    @on(Select.Changed, "#brand_type")
    def _brand_type_changed(self, event: Select.Changed) -> None:
        switch = self.query_one("#secondary_vetting", Switch)
        starter = event.value == "STARTER"
        if starter:
            switch.value = False
        switch.disabled = starter
        self._show_fees()

    @on(Switch.Changed, "#secondary_vetting")
    def _vetting_changed(self, event: Switch.Changed) -> None:
        self._show_fees()

    def _show_fees(self) -> None:
        request = self.build_request()
        lines = fee_lines(
            "brand_create",
            brand_type=request.brand_type,
            secondary_vetting=request.secondary_vetting,
        )
        self.query_one("#fees", Static).update("\n".join(lines))

    def build_request(self) -> BrandRequest:
        profile = self.query_one("#profile_uuid", Select).value
        brand_type = self.query_one("#brand_type", Select).value
        return BrandRequest(
            profile_uuid=profile if isinstance(profile, str) and profile != NEW_PROFILE else "",
            alias=self.query_one("#alias", Input).value,
            brand_type=brand_type if isinstance(brand_type, str) else "",
            secondary_vetting=self.query_one("#secondary_vetting", Switch).value,
            business_contact_email=self.query_one("#business_contact_email", Input).value,
        )

    def extra_errors(self) -> dict[str, str]:
        request = self.build_request()
        profile = self.profiles.get(request.profile_uuid)
        if profile is not None and not profile.has_ein and request.brand_type == "STANDARD":
            return {"brand_type": "this profile has no EIN: choose STARTER, or another profile"}
        return {}

    @work(thread=True, exit_on_error=False, group="submit", description="brand: create")
    def send(self, request: BrandRequest) -> None:
        again = self.again
        if (
            again is not None
            and again.replaces
            and request.profile_uuid == again.profile_uuid
            and not self.replaced
        ):
            try:  # one brand per profile: the rejected one gives the profile back first
                self.gateway.delete_brand(again.brand_id)
            except GatewayError as error:
                said = (
                    f"the rejected brand {again.brand_id} still holds this profile and could "
                    f"not be deleted, so nothing was registered: {error.message}"
                )
                self.post_message(self.Refused(said, None, error.journaled))
                return
            self.replaced = True
        self.deliver(lambda: self.gateway.create_brand(request))


def again_note(again: BrandAgain) -> str:
    """What the second step of a brand fix does, before anything is sent."""
    lines = [
        f"Registering brand {again.brand_id} ({again.alias}) again, as a new brand: "
        f"{again.said}. Change the alias if you like; the fees below apply again."
    ]
    if again.replaces:
        lines.append(
            f"Plivo allows one brand per profile: the rejected brand {again.brand_id} is "
            "deleted first (its story stays in tendlc's timeline)."
        )
    return "\n".join(lines)
