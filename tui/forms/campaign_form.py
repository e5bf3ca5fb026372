"""The "create campaign" form: a registered brand, its use case, samples, opt-in flow, attributes."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.lazy import Lazy
from textual.message import Message
from textual.widgets import Input, Label, Select, SelectionList, Static, Switch
from textual.widgets.select import InvalidSelectValueError

from plivo_client.types import GatewayError, Usecase
from plivo_client.validation import CampaignRequest
from receiver.domain import vocab
from receiver.domain.models import Badge, ResourceType
from tui.forms.campaign_example import EXAMPLE_USECASE, EXAMPLE_VERTICAL, example_text
from tui.forms.common import FieldRule, FormScreen, field, group_title, switch_field
from tui.forms.duplicate import DuplicateGuard
from tui.forms.findings import CampaignChecks, fees_note
from tui.forms.fit import fit_to_height

if TYPE_CHECKING:
    from plivo_client.gateway import Gateway
    from plivo_client.preflight import Preflight
    from receiver.domain.registry import Registry

# field -> (label, placeholder, minimum length for a live counter)
TEXT_FIELDS: dict[str, tuple[str, str, int | None]] = {
    "alias": ("Alias", "a name to recognise the campaign by", None),
    "description": ("Description", "what the campaign is for, who receives it", vocab.DESCRIPTION_MIN),
    "sample1": ("Sample message 1", "a message exactly as subscribers will see it", vocab.SAMPLE_MIN),
    "sample2": ("Sample message 2", "another real example", vocab.SAMPLE_MIN),
    "sample3": ("Sample message 3", "optional", vocab.SAMPLE_MIN),
    "sample4": ("Sample message 4", "optional", vocab.SAMPLE_MIN),
    "sample5": ("Sample message 5", "optional", vocab.SAMPLE_MIN),
    "message_flow": ("Message flow", "how subscribers opt in, e.g. a web form with a checkbox", vocab.MESSAGE_FLOW_MIN),
    "help_message": ("Help message", "reply to HELP", vocab.HELP_MESSAGE_MIN),
    "optout_message": ("Opt-out message", "reply to STOP", vocab.OPTOUT_MESSAGE_MIN),
    "optin_message": ("Opt-in message", "optional: reply to START", None),
    "optin_keywords": ("Opt-in keywords", "START,YES", None),
    "optout_keywords": ("Opt-out keywords", "STOP,QUIT", None),
    "help_keywords": ("Help keywords", "HELP,INFO", None),
    "terms_and_conditions_link": ("Terms and conditions link", "optional: https://…", None),
    "privacy_policy_link": ("Privacy policy link", "optional: https://…", None),
}  # fmt: skip

ATTRIBUTES: dict[str, str] = {
    "subscriber_optin": "Subscribers opt in",
    "subscriber_optout": "Subscribers can opt out",
    "subscriber_help": "Subscribers can ask for help",
    "direct_lending": "Direct lending / loans",
    "embedded_link": "Messages contain links",
    "embedded_phone": "Messages contain phone numbers",
    "age_gated": "Age-gated content",
    "affiliate_marketing": "Affiliate marketing",
}


def blocked_note(brands: Sequence[tuple[str, str, str]]) -> str:
    """One line per brand that cannot have campaigns yet: 'B1234AB pending — …'."""
    return "\n".join(
        f"{brand_id}{f' ({name})' if name else ''} {badge} — campaigns need a registered brand"
        for brand_id, name, badge in brands
    )


class CampaignBody(VerticalScroll):
    """The campaign form's fields. There are many, so the form mounts them lazily: its frame
    (title, a loading line, the buttons) is on screen at once, the fields a moment later."""

    @dataclass
    class Ready(Message):
        """The fields are mounted: the form can query them."""

    def on_mount(self) -> None:
        self.post_message(self.Ready())


class CampaignForm(FormScreen):
    """Register a 10DLC campaign under a registered brand.

    With a `preflight`, the brand's status and use cases are read from the API before
    sending, and an earlier unanswered identical request is pointed out.
    """

    BINDINGS = [Binding("f2", "fill_example", "Example", id="campaign.example")]

    AUTO_FOCUS = "#alias"
    TITLE_TEXT = "Create campaign"
    SUBMIT_LABEL = "Create campaign"
    FAILURE_TITLE = "Campaign not created"

    @dataclass
    class UsecasesLoaded(Message):
        """The brand's use cases arrived (posted from the load thread)."""

        brand_id: str
        usecases: list[Usecase]
        error: str | None = None
        brand: tuple[str, str] = ("", "")  # its company name and type, when Plivo said them

    def __init__(
        self,
        gateway: Gateway,
        registry: Registry,
        brand_id: str | None = None,
        *,
        preflight: Preflight | None = None,
    ) -> None:
        super().__init__(gateway)
        self.registry = registry
        self.preflight = preflight
        self.duplicates = DuplicateGuard(self, "campaign.create", preflight)
        brands = registry.all(ResourceType.BRAND)
        self.brands = [b for b in brands if b.badge == Badge.REGISTERED]
        self.blocked = [
            (b.id, b.name, b.badge.value) for b in brands if b.badge != Badge.REGISTERED
        ]
        ids = [b.id for b in self.brands]
        if brand_id in ids:
            self.initial_brand: str | None = brand_id
        else:
            self.initial_brand = ids[0] if len(ids) == 1 else None
        self.usecases_for: str | None = None  # the brand whose use cases are loaded / loading
        self.brand_facts: dict[str, tuple[str, str]] = {}  # brand id -> (company, type), read
        self.ready = False  # the fields are mounted (CampaignBody.Ready)
        self.checks = CampaignChecks(self, self.build_request, brand=self._brand_facts)

    def dialog_classes(self) -> str:
        return "-tall"

    def text(self, name: str) -> Input:
        _, placeholder, _ = TEXT_FIELDS[name]
        return Input(
            placeholder=placeholder,
            id=name,
            validators=[FieldRule(self, name)],
            validate_on=["blur"],
        )

    def text_field(self, name: str, *, classes: str = "") -> ComposeResult:
        label, _, minimum = TEXT_FIELDS[name]
        box = field(label, self.text(name), counter=minimum)
        if classes:
            box.add_class(*classes.split())
        yield box

    def compose_body(self) -> ComposeResult:
        brand_options = [(f"{b.id}  {b.name}".rstrip(), b.id) for b in self.brands]
        yield Static("Loading the campaign form…", id="form-loading", classes="note")
        with Lazy(CampaignBody(id="form-body")):
            yield group_title("Campaign")
            yield from self.text_field("alias")
            yield field(
                "Brand",
                Select[str](
                    brand_options,
                    prompt="Choose a registered brand"
                    if self.brands
                    else "No registered brand yet",
                    value=self.initial_brand or Select.NULL,
                    id="brand_id",
                ),
            )
            note = Static(blocked_note(self.blocked), id="brand-note", classes="note")
            note.display = bool(self.blocked)
            yield note
            with Horizontal(classes="row"):
                yield field(
                    "Vertical",
                    Select[str]([(v, v) for v in vocab.VERTICALS], prompt="Choose", id="vertical"),
                )
                usecase = field(
                    "Use case",
                    Select[str]([], prompt="Choose a brand first", id="usecase"),
                )
                usecase.add_class("-right")
                yield usecase
            note = Static("", id="usecase-note", classes="note")
            note.display = False
            yield note
            subs = field(
                "Sub use cases",
                SelectionList[str](*[(s, s) for s in vocab.SUB_USECASES], id="sub_usecases"),
                hint=f"choose {vocab.SUB_USECASES_MIN}–{vocab.SUB_USECASES_MAX}",
            )
            subs.display = False
            yield subs
            yield group_title("What you will send")
            for name in ("description", "sample1", "sample2", "sample3", "sample4", "sample5"):
                yield from self.text_field(name)
            yield group_title("Opt-in, opt-out and help")
            for name in ("message_flow", "help_message", "optout_message", "optin_message"):
                yield from self.text_field(name)
            with Horizontal(classes="row"):
                yield from self.text_field("optin_keywords")
                yield from self.text_field("optout_keywords", classes="-right")
                yield from self.text_field("help_keywords", classes="-right")
            yield group_title("Attributes")
            with Grid(classes="switches"):
                for name, label in ATTRIBUTES.items():
                    default = name in vocab.REQUIRED_TRUE_ATTRIBUTES
                    yield switch_field(label, name, default)
            yield group_title("Links")
            yield from self.text_field("terms_and_conditions_link")
            yield from self.text_field("privacy_policy_link")
            findings = Static("", id="findings", classes="note findings")
            findings.display = False
            yield findings
            yield group_title("Fees (as published)")
            yield fees_note("campaign_create")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fill_example":
            return bool(getattr(self.gateway, "sandbox", False))
        return super().check_action(action, parameters)

    def action_fill_example(self) -> None:
        """Fill every field with a valid example campaign (sandbox mode only)."""
        if not self.ready:
            return
        for name, value in example_text(self._brand_facts()[0]).items():
            self.query_one(f"#{name}", Input).value = value
        self.query_one("#vertical", Select).value = EXAMPLE_VERTICAL
        with suppress(InvalidSelectValueError):  # the brand's use cases may not be loaded yet
            self.query_one("#usecase", Select).value = EXAMPLE_USECASE
        self.notify("Example filled in: pick a brand and use case if needed, then ctrl+s.")

    def on_mount(self) -> None:
        if getattr(self.gateway, "sandbox", False):
            self.query_one("#keys-hint", Label).update(f"{self.KEYS_HINT} · f2 example")

    @on(CampaignBody.Ready)
    def _body_ready(self, message: CampaignBody.Ready) -> None:
        message.stop()
        self.ready = True
        self.query_one("#form-loading").remove()
        fit_to_height(self, self.size.height)
        body = self.query_one("#form-body", VerticalScroll)
        self.call_after_refresh(body.scroll_home, animate=False)
        self.query_one("#alias", Input).focus()
        self.checks.mount()
        if self.initial_brand:
            self.start_usecases(self.initial_brand)

    def start_usecases(self, brand_id: str) -> None:
        """Ask the gateway for the brand's use cases (latest brand wins)."""
        self.usecases_for = brand_id
        self.query_one("#usecase", Select).prompt = "Loading use cases…"
        self.load_usecases(brand_id)

    # -- use cases, loaded per brand -------------------------------------------------------------

    @on(Select.Changed, "#brand_id")
    def _brand_changed(self, event: Select.Changed) -> None:
        brand_id = event.value if isinstance(event.value, str) else None
        if brand_id == self.usecases_for:
            return  # already loaded or loading (the preset brand announces itself on mount)
        usecase = self.query_one("#usecase", Select)
        usecase.set_options([])
        self.show_sub_usecases(False)
        if brand_id:
            self.start_usecases(brand_id)
        else:
            self.usecases_for = None
            usecase.prompt = "Choose a brand first"

    @work(
        thread=True,
        exit_on_error=False,
        exclusive=True,
        group="usecases",
        description="campaign form: load use cases",
    )
    def load_usecases(self, brand_id: str) -> None:
        brand = ("", "")
        try:  # its name and type sharpen the check (samples name the brand); it runs without
            info = self.gateway.get_brand(brand_id)
            brand = (info.company_name, info.brand_type)
        except GatewayError:
            pass
        try:
            usecases = self.gateway.brand_usecases(brand_id)
        except GatewayError as error:
            self.post_message(self.UsecasesLoaded(brand_id, [], error.message, brand))
            return
        self.post_message(self.UsecasesLoaded(brand_id, list(usecases), brand=brand))

    @on(UsecasesLoaded)
    def _usecases_loaded(self, message: UsecasesLoaded) -> None:
        if any(message.brand):
            self.brand_facts[message.brand_id] = message.brand
        if self.query_one("#brand_id", Select).value != message.brand_id:
            return  # the brand changed since: a newer load is on its way
        self.checks.refresh()
        usecase = self.query_one("#usecase", Select)
        note = self.query_one("#usecase-note", Static)
        if message.error:
            options = [(code, code) for code in vocab.USECASES]
            note.update(f"Could not load this brand's use cases ({message.error}); showing all")
        else:
            options = [
                (f"{u.code} — {u.name}" if u.name else u.code, u.code) for u in message.usecases
            ]
            note.update("" if options else "Plivo offers no use case for this brand")
        note.display = bool(message.error or not options)
        note.set_class(True, "-warning")
        usecase.set_options(options)
        usecase.prompt = "Choose a use case" if options else "No use case available"
        if len(options) == 1:
            usecase.value = options[0][1]

    @on(Select.Changed, "#usecase")
    def _usecase_changed(self, event: Select.Changed) -> None:
        self.show_sub_usecases(event.value in vocab.USECASES_WITH_SUB)

    def show_sub_usecases(self, shown: bool) -> None:
        self.query_one("#field-sub_usecases").display = shown

    # -- the request -----------------------------------------------------------------------------

    def action_submit(self) -> None:
        if self.ready:  # nothing to send before the fields are on screen
            super().action_submit()

    def ready_to_send(self, request: CampaignRequest) -> bool:
        return self.duplicates.ready(request)

    def extra_errors(self) -> dict[str, str]:
        self.checks.refresh()
        return self.checks.blockers()

    def _brand_facts(self) -> tuple[str, str]:
        """The chosen brand's company name and type: as Plivo said them, else the registry's."""
        value = self.query_one("#brand_id", Select).value
        if isinstance(value, str) and value in self.brand_facts:
            return self.brand_facts[value]
        brand = self.registry.get(ResourceType.BRAND, value) if isinstance(value, str) else None
        if brand is None:
            return "", ""
        detail = brand.detail
        return str(detail.get("company_name") or ""), str(detail.get("brand_type") or "")

    @on(Input.Changed)
    @on(Switch.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _recheck(self, event: object) -> None:
        if self.ready:
            self.checks.refresh()

    def build_request(self) -> CampaignRequest:
        def choice(widget_id: str) -> str:
            value = self.query_one(f"#{widget_id}", Select).value
            return value if isinstance(value, str) else ""

        values = {name: self.query_one(f"#{name}", Input).value for name in TEXT_FIELDS}
        switches = {name: self.query_one(f"#{name}", Switch).value for name in ATTRIBUTES}
        subs: tuple[str, ...] = ()
        if self.query_one("#field-sub_usecases").display:
            subs = tuple(self.query_one("#sub_usecases", SelectionList).selected)
        return CampaignRequest(
            brand_id=choice("brand_id"),
            vertical=choice("vertical"),
            usecase=choice("usecase"),
            sub_usecases=subs,
            **values,
            **switches,
        )

    @work(thread=True, exit_on_error=False, group="submit", description="campaign: create")
    def send(self, request: CampaignRequest) -> None:
        if self.preflight is not None:
            try:
                findings = self.preflight.campaign(request)
            except GatewayError as error:
                self.post_message(
                    self.Refused(
                        f"not sent: could not check brand {request.brand_id} first: "
                        f"{error.message}",
                        "brand_id",
                    )
                )
                return
            blocking = [f for f in findings if f.blocking]
            if blocking:
                self.post_message(self.Refused(blocking[0].message, blocking[0].field))
                return
        self.deliver(lambda: self.gateway.create_campaign(request))
