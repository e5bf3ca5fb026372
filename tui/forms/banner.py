"""A form's banner: what stops the submit, named by the fields' labels, gone once it is fixed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from textual.dom import DOMNode
from textual.widgets import Static

from receiver.wording import plural


def field_label(form: DOMNode, name: str) -> str:
    """The label the user sees over field `name` ("Profile", "Sample message 1"), without its
    parenthesised remark; the name in words when the field has no label on screen."""
    for selector in (f"#field-{name} .field-label", f"#field-{name} .switch-label"):
        found = form.query(selector)
        if found:
            text = str(found.first(Static).content).split(" (", 1)[0].strip()
            if text:
                return text
    return name.replace("_", " ")


@dataclass
class BannerState:
    """What the banner says, kept so it can be said again as fields are fixed.

    `not_sent`: a submit was stopped by field errors (the banner lists the fields still wrong);
    `refused`: why the API (or a check) refused, with the field it is about, if any: it goes
    once that field is changed; `note`: a message of the form's own (reconciling first …).
    """

    not_sent: bool = False
    refused: str | None = None
    refused_field: str | None = None
    note: str | None = None
    loose: dict[str, str] = field(default_factory=dict)  # errors of fields not on screen

    def text(self, form: DOMNode, shown: Mapping[str, str]) -> str | None:
        """The banner's lines for the errors `shown` now (field name -> message)."""
        lines: list[str] = []
        if self.note:
            lines.append(self.note)
        if self.refused:
            lines.append(self.refused)
        if self.not_sent and shown:
            labels = ", ".join(field_label(form, name) for name in shown)
            lines.append(f"Not sent: {plural(len(shown), 'field')} to fix ({labels})")
        lines += [f"{field_label(form, n)}: {m}" for n, m in self.loose.items() if n in shown]
        return "\n".join(lines) or None

    def fixed(self, name: str) -> None:
        """Field `name` no longer shows an error (or was edited after a refusal)."""
        if name == self.refused_field:
            self.refused = self.refused_field = None
        self.loose.pop(name, None)
