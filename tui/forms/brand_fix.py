"""Fix a rejected brand. Plivo has no brand update (plivo-10dlc.md, brand), so the fix is the
brand's profile, then the brand registered again: this form is the first step, the profile
opened at the field the decline concerns. Where Plivo lets a profile field change (profile
update: entity type, company name, …) the profile is updated; a field it cannot change (the
EIN) is typed into a new profile copied from the old one. The second step is the brand form,
pre-filled (`BrandAgain`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Static

from plivo_client.account_requests import PROFILE_UPDATABLE, ProfileRequest, ProfileUpdate
from plivo_client.types import GatewayError
from receiver.domain.declines import Decline, describe, explain, reasons_of
from tui.forms.profile_form import CHOICES, TEXTS, ProfileForm

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from plivo_client.types import Submitted

FIRST_FIELD = "company_name"
"""Where the form opens when the decline names no profile field (a reason tendlc does not know)."""


@dataclass(frozen=True, slots=True)
class BrandAgain:
    """A rejected brand to register again: what the brand form is pre-filled with."""

    brand_id: str  # the rejected brand
    alias: str
    brand_type: str
    secondary_vetting: bool
    profile_uuid: str  # the profile the new brand is for: the fixed one, or its copy
    replaces: bool  # the rejected brand still holds that profile (one brand per profile)
    said: str  # what the first step did, for the brand form's note


def field_label(name: str) -> str:
    return TEXTS[name][0] if name in TEXTS else CHOICES[name][0]


def fix_target(known: Decline | None) -> str | None:
    """The profile field a brand decline concerns (None: it names none the form has)."""
    if known is None or known.field is None:
        return None
    return known.field if known.field in TEXTS or known.field in CHOICES else None


def copies_profile(target: str | None) -> bool:
    """The field cannot be changed by a profile update: a new profile, copied, takes it."""
    return target is not None and target not in PROFILE_UPDATABLE


class BrandFixForm(ProfileForm):
    """Step 1 of fixing a rejected brand: its profile, at the declined field."""

    SHOWN_HERE = frozenset({"submit", "load"})
    KEYS_HINT = "ctrl+s save, then step 2 · esc cancel"

    class Loaded(Message):
        """The brand and its profile as the API returns them (posted from the load thread)."""

        def __init__(
            self, brand: dict[str, Any] | None, profile: dict[str, Any] | None, error: str = ""
        ) -> None:
            super().__init__()
            self.brand, self.profile, self.error = brand, profile, error

    class Unchanged(Message):
        """Nothing on the profile was changed: straight to registering again."""

    def __init__(self, gateway: Gateway, brand_id: str) -> None:
        super().__init__(gateway)
        self.brand_id = brand_id
        self.brand: dict[str, Any] = {}
        self.loaded = False
        self.target: str | None = None
        self.again: BrandAgain | None = None  # set once the first step is done
        self.TITLE_TEXT = f"Fix rejected brand {brand_id}: 1. its profile"
        self.SUBMIT_LABEL = "Save profile"
        self.AUTO_FOCUS = None  # the field concerned takes it once loaded

    def compose_body(self) -> ComposeResult:
        yield Static(f"Brand {self.brand_id}: loading from Plivo…", id="decline-summary")
        yield from super().compose_body()

    def on_mount(self) -> None:
        super().on_mount()
        for widget in self.query("#form-body Input, #form-body Select"):
            widget.disabled = True  # until the profile is here
        self.load()

    @work(thread=True, exit_on_error=False, group="load", description="brand: read for a fix")
    def load(self) -> None:
        try:
            brand = self.gateway.read_brand(self.brand_id)
            uuid = str(brand.get("profile_uuid") or "")
            profile = self.gateway.read_profile(uuid) if uuid else None
        except GatewayError as error:
            self.post_message(self.Loaded(None, None, error.message))
            return
        if profile is None:
            self.post_message(self.Loaded(None, None, "Plivo names no profile for this brand"))
            return
        self.post_message(self.Loaded(brand, profile))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        summary = self.query_one("#decline-summary", Static)
        if message.brand is None or message.profile is None:
            summary.update(f"Could not read brand {self.brand_id}: {message.error}")
            return
        self.brand = message.brand
        reasons = reasons_of("brand", self.brand)
        known = next(
            (k for code, text in reasons if (k := explain(code, brand=True, text=text))), None
        )
        self.target = fix_target(known)
        copy = copies_profile(self.target)
        profile = dict(message.profile)
        if copy:
            profile["profile_alias"] = f"{profile.get('profile_alias') or 'profile'}-fixed"
        self.fill(profile, editing=not copy)
        self.loaded = True
        summary.update("\n".join(self.summary_lines(reasons, known, copy)))
        field = self.query_one(f"#{self.target or FIRST_FIELD}")
        field.focus()
        if known is not None and self.target is not None:
            note = self.note_above(
                self.target,
                f"↳ declined here: {known.meaning}. Fix: {known.fix} (source: {known.source})",
            )
            # once laid out: the note at the top of the body, the field under it
            self.call_after_refresh(note.scroll_visible, top=True, animate=False)

    def summary_lines(
        self, reasons: list[tuple[object, str | None]], known: Decline | None, copy: bool
    ) -> list[str]:
        """Short, above the fields: what Plivo said; the explanation is in the field's note."""
        status = str(self.brand.get("registration_status") or "?")
        head = f"Brand {self.brand_id} ({status}) was declined"
        if known is not None and self.target is not None:
            plivo = "; ".join(
                f"code {c}: {t}" if c else str(t) for c, t in reasons if t or c
            ).rstrip(".")
            label = field_label(self.target)
            lines = [f"{head}: {plivo or known.meaning}. See the note above {label}."]
        else:
            said = "; ".join(describe(code, text, brand=True) for code, text in reasons)
            lines = [f"{head}: {said or 'no reason given'}."]
            lines.append("tendlc does not know this reason: check the profile against it.")
        if copy and self.target is not None:
            alias = str(self.profile.get("profile_alias") or "")
            lines.append(
                f"Plivo cannot change a profile's {field_label(self.target)}: saving creates "
                f"the new profile {alias}, copied from this one."
            )
        lines.append("Plivo has no brand update: saving opens the brand form to register again.")
        return lines

    def note_above(self, name: str, text: str) -> Static:
        """The decline, right above the field it concerns (above its pair, in a pair)."""
        box = self.query_one(f"#field-{name}")
        box.add_class("-declined")
        anchor = box.parent if isinstance(box.parent, Grid) else box
        note = Static(text, id=f"{name}-decline", classes="decline-note")
        if anchor is not None and anchor.parent is not None:
            anchor.parent.mount(note, before=anchor)
        return note

    def field_errors(self) -> dict[str, str]:
        errors = super().field_errors()
        if self.loaded and self.editing:
            errors.pop("fields", None)  # nothing changed: the brand is registered again as is
        return errors

    def extra_errors(self) -> dict[str, str]:
        if not self.loaded:
            return {"profile": "not loaded from Plivo yet"}
        return super().extra_errors()

    def build_request(self) -> ProfileRequest | ProfileUpdate:
        if not self.loaded:
            return ProfileUpdate("", {})
        return super().build_request()

    @work(thread=True, exit_on_error=False, group="submit", description="brand fix: profile")
    def send(self, request: ProfileRequest | ProfileUpdate) -> None:
        if isinstance(request, ProfileUpdate) and not request.params():
            self.post_message(self.Unchanged())
            return
        self.save(request)

    def next_step(self, submitted: Submitted | None) -> BrandAgain:
        """What the brand form registers: this brand again, for the profile just saved."""
        brand = self.brand
        old = str(brand.get("profile_uuid") or "")
        response = submitted.record.response if submitted is not None else None
        uuid = str((response or {}).get("profile_uuid") or "") if not self.editing else old
        if submitted is None:
            said = f"profile {old} kept as it was"
        elif self.editing:
            said = f"profile {old} updated"
        else:
            said = f"new profile {uuid or '?'} created"
        return BrandAgain(
            brand_id=self.brand_id,
            alias=str(brand.get("brand_alias") or ""),
            brand_type=str(brand.get("brand_type") or "STANDARD").upper(),
            secondary_vetting=bool(brand.get("secondary_vetting")),
            profile_uuid=uuid or old,
            replaces=(uuid or old) == old,
            said=said,
        )

    @on(Unchanged)
    def _unchanged(self, message: Unchanged) -> None:
        self.set_busy(False)
        self.again = self.next_step(None)
        self.dismiss(None)

    @on(ProfileForm.Accepted)
    def _saved(self, message: ProfileForm.Accepted) -> None:
        self.again = self.next_step(message.submitted)  # before the base class dismisses
