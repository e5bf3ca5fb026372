"""The profile form: create a business profile, or update one, with Plivo's documented fields
(entity type, EIN and issuing country, address, authorized contact, vertical, website, stock
symbol and exchange for public companies) and the checks the headless verbs use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import Input, Select

from plivo_client.account_requests import (
    ADDRESS_KEYS,
    CONTACT_KEYS,
    PROFILE_UPDATABLE,
    SENIORITIES,
    STOCK_EXCHANGES,
    ProfileRequest,
    ProfileUpdate,
)
from receiver.domain import vocab
from tui.forms.common import FieldError, FieldRule, FormScreen, field, group_title

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway

# name -> (label, placeholder)
TEXTS: dict[str, tuple[str, str]] = {
    "profile_alias": ("Alias", "a name to recognise the profile by"),
    "company_name": ("Company name", "the legal name, as registered"),
    "doing_business_as": ("Doing business as", "optional: the name customers know"),
    "ein": ("EIN / tax id", "e.g. 12-3456789 (none for individuals)"),
    "ein_issuing_country": ("EIN issuing country", "two letters, e.g. US"),
    "website": ("Website", "https://…"),
    "business_contact_email": ("Business contact email", "optional: name@example.com"),
    "stock_symbol": ("Stock symbol", "public companies: e.g. ACME"),
}
CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "customer_type": ("Customer type", vocab.CUSTOMER_TYPES),
    "entity_type": ("Entity type", vocab.ENTITY_TYPES),
    "vertical": ("Vertical", vocab.VERTICALS),
    "stock_exchange": ("Stock exchange", STOCK_EXCHANGES),
}
ADDRESS = {"street": "Street", "city": "City", "state": "State (2 letters)",
           "postal_code": "Postal code", "country": "Country (2 letters)"}  # fmt: skip
CONTACT = {"first_name": "First name", "last_name": "Last name", "email": "Email",
           "title": "Title", "seniority": "Seniority", "phone": "Phone (+1…)"}  # fmt: skip


class ProfileForm(FormScreen):
    """Create a profile (no `profile` given) or update one (the API's object, pre-filled)."""

    AUTO_FOCUS = "#profile_alias"
    FAILURE_TITLE = "Profile not saved"

    def __init__(self, gateway: Gateway, profile: dict[str, Any] | None = None) -> None:
        super().__init__(gateway)
        self.profile = dict(profile or {})
        self.editing = bool(profile)
        self.TITLE_TEXT = (
            f"Update profile {self.profile.get('profile_uuid', '')}" if self.editing
            else "Create profile"
        )  # fmt: skip
        self.SUBMIT_LABEL = "Save changes" if self.editing else "Create profile"
        if self.editing:
            self.AUTO_FOCUS = "#company_name"

    def dialog_classes(self) -> str:
        return "-tall"

    # -- layout -----------------------------------------------------------------------------
    def locked(self, name: str) -> bool:
        """Plivo cannot change this field of an existing profile."""
        return self.editing and name not in PROFILE_UPDATABLE

    def text(self, name: str, value: str = "") -> Input:
        label, placeholder = TEXTS.get(name, (name, ""))
        box = Input(value, placeholder=placeholder, id=name, validators=[FieldRule(self, name)],
                    validate_on=["blur"], disabled=self.locked(name))  # fmt: skip
        return box

    def choice(self, name: str) -> Select[str]:
        _, options = CHOICES[name]
        value = str(self.profile.get(name) or "")
        return Select[str](
            [(o, o) for o in options],
            value=value if value in options else Select.NULL,
            prompt="choose…",
            id=name,
            disabled=self.locked(name),
        )

    def compose_body(self) -> ComposeResult:
        p = self.profile
        with VerticalScroll(id="form-body"):
            yield group_title("The business")
            yield field("Alias", self.text("profile_alias", str(p.get("profile_alias") or "")))
            with Grid(classes="pair"):
                yield field("Customer type", self.choice("customer_type"))
                yield field("Entity type", self.choice("entity_type"))
            for name in ("company_name", "doing_business_as"):
                yield field(TEXTS[name][0], self.text(name, str(p.get(name) or "")))
            yield field("Vertical", self.choice("vertical"))
            with Grid(classes="pair"):
                for name in ("ein", "ein_issuing_country"):
                    yield field(TEXTS[name][0], self.text(name, str(p.get(name) or "")))
            for name in ("website", "business_contact_email"):
                yield field(TEXTS[name][0], self.text(name, str(p.get(name) or "")))
            with Grid(classes="pair", id="stock"):
                yield field(
                    "Stock symbol", self.text("stock_symbol", str(p.get("stock_symbol") or ""))
                )
                yield field("Stock exchange", self.choice("stock_exchange"))
            yield from self.group("address", "Address", ADDRESS, p.get("address"))
            yield from self.group("authorized_contact", "Authorized contact", CONTACT,
                                  p.get("authorized_contact"))  # fmt: skip

    def group(self, name: str, title: str, parts: dict[str, str], given: Any) -> ComposeResult:
        values = given if isinstance(given, dict) else {}
        yield group_title(title)
        error = FieldError("", id=f"{name}-error", classes="field-error")
        error.display = False
        with Vertical(id=f"field-{name}", classes="field"):
            with Grid(classes="pair"):
                for key, label in parts.items():
                    wid = f"{name}__{key}"
                    if key == "seniority":
                        value = str(values.get(key) or "").upper()
                        widget: Input | Select[str] = Select[str](
                            [(s, s) for s in SENIORITIES],
                            value=value if value in SENIORITIES else Select.NULL,
                            prompt="choose…",
                            id=wid,
                        )
                    else:
                        widget = Input(str(values.get(key) or ""), placeholder=label, id=wid)
                    yield field(label, widget, name=wid)
            yield error

    def on_mount(self) -> None:
        self.query_one("#callback-line").display = False  # profiles get no status callbacks
        self._entity_changed()

    def fill(self, profile: dict[str, Any], *, editing: bool) -> None:
        """Show `profile` (the API's object) in the fields, after the form was composed; with
        `editing`, the fields Plivo cannot change are locked, as when opened to update."""
        self.profile, self.editing = dict(profile), editing
        for name in (*TEXTS, *CHOICES):
            widget = self.query_one(f"#{name}")
            value = str(profile.get(name) or "")
            if isinstance(widget, Select):
                widget.value = value if value in CHOICES[name][1] else Select.NULL
            elif isinstance(widget, Input):
                widget.value = value
            widget.disabled = self.locked(name)
        for group, parts in (("address", ADDRESS), ("authorized_contact", CONTACT)):
            given = profile.get(group)
            values = given if isinstance(given, dict) else {}
            for key in parts:
                widget = self.query_one(f"#{group}__{key}")
                value = str(values.get(key) or "")
                if isinstance(widget, Select):
                    value = value.upper()
                    widget.value = value if value in SENIORITIES else Select.NULL
                elif isinstance(widget, Input):
                    widget.value = value
                widget.disabled = False  # address and contact can always change

    @on(Select.Changed, "#entity_type")
    def _entity_changed(self, event: Select.Changed | None = None) -> None:
        """Stock symbol and exchange matter for public companies only."""
        public = self.query_one("#entity_type", Select).value == "PUBLIC"
        self.query_one("#stock").display = public

    @on(Input.Changed)
    @on(Select.Changed)
    def _part_changed(self, event: Input.Changed | Select.Changed) -> None:
        group = (event.control.id or "").partition("__")[0]
        if group in ("address", "authorized_contact"):
            self.refresh_field(group)

    # -- the request ------------------------------------------------------------------------
    def value(self, name: str) -> str:
        widget = self.query_one(f"#{name}")
        value = widget.value if isinstance(widget, Input | Select) else ""
        return value.strip() if isinstance(value, str) else ""

    def parts(self, name: str, keys: tuple[str, ...]) -> dict[str, str]:
        return {k: self.value(f"{name}__{k}") for k in keys}

    def fields(self) -> dict[str, Any]:
        names = (*TEXTS, *CHOICES)
        out: dict[str, Any] = {n: self.value(n) for n in names}
        if out.get("entity_type") != "PUBLIC":
            out["stock_symbol"] = out["stock_exchange"] = ""
        out["address"] = self.parts("address", ADDRESS_KEYS)
        out["authorized_contact"] = self.parts("authorized_contact", CONTACT_KEYS)
        return out

    def changed(self) -> dict[str, Any]:
        """The updatable fields whose value differs from the profile as Plivo has it."""
        now = self.fields()
        out: dict[str, Any] = {}
        for name in PROFILE_UPDATABLE:
            before = self.profile.get(name)
            if isinstance(now.get(name), dict):
                before = {k: str(v or "") for k, v in (before or {}).items() if k in now[name]}
                if {k: v for k, v in now[name].items() if v} != {
                    k: v for k, v in before.items() if v
                }:
                    out[name] = now[name]
            elif (now.get(name) or "") != str(before or ""):
                out[name] = now.get(name)
        return out

    def build_request(self) -> ProfileRequest | ProfileUpdate:
        if self.editing:
            return ProfileUpdate(str(self.profile.get("profile_uuid") or ""), self.changed())
        return ProfileRequest({k: v for k, v in self.fields().items() if v not in ("", {})})

    def extra_errors(self) -> dict[str, str]:
        if self.editing or self.value("entity_type") != "PUBLIC":
            return {}
        errors = {}
        if not self.value("stock_symbol"):
            errors["stock_symbol"] = "required for a PUBLIC company"
        if not self.value("stock_exchange"):
            errors["stock_exchange"] = "required for a PUBLIC company"
        return errors

    @work(thread=True, exit_on_error=False, group="submit", description="profile: save")
    def send(self, request: ProfileRequest | ProfileUpdate) -> None:
        self.save(request)

    def save(self, request: ProfileRequest | ProfileUpdate) -> None:
        """Create or update the profile (in the submit thread)."""
        if isinstance(request, ProfileUpdate):
            self.deliver(lambda: self.gateway.update_profile(request))
        else:
            self.deliver(lambda: self.gateway.create_profile(request))
