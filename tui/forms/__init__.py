"""Modal forms the main screen pushes: create brand, create campaign, link and unlink numbers."""

from tui.forms.brand_form import BrandForm
from tui.forms.campaign_form import CampaignForm
from tui.forms.common import FormScreen
from tui.forms.link_form import LinkForm
from tui.forms.unlink_confirm import UnlinkConfirm

__all__ = ["BrandForm", "CampaignForm", "FormScreen", "LinkForm", "UnlinkConfirm"]
