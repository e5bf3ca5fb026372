"""Modal forms the main screen pushes: create brand, create campaign, link and unlink numbers.

`common` (the modal frame, inline errors, submit progress), one module per form, and
`duplicate` (the warning before repeating an unanswered create). Each returns a dataclass
from plivo_client.validation, never widget values.

May import: textual, tui.widgets, tui.screens.prompt, plivo_client (validation, preflight),
receiver.domain, receiver.store. Never tui.controllers or tendlc.
"""

from tui.forms.brand_form import BrandForm
from tui.forms.campaign_form import CampaignForm
from tui.forms.common import FormScreen
from tui.forms.link_form import LinkForm
from tui.forms.unlink_confirm import UnlinkConfirm

__all__ = ["BrandForm", "CampaignForm", "FormScreen", "LinkForm", "UnlinkConfirm"]
