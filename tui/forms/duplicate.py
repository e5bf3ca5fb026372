"""Before a create that repeats an earlier unanswered one: warn, offer to reconcile first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work

from plivo_client.preflight import identity
from plivo_client.types import GatewayError
from receiver.store.store import StoreError
from tui.screens.prompt import ChoiceScreen

if TYPE_CHECKING:
    from plivo_client.preflight import Finding, Preflight

RECONCILE, SUBMIT = "reconcile-first", "submit-anyway"


def duplicate_screen(finding: Finding) -> ChoiceScreen:
    """The question: reconcile first (the default), submit anyway, or cancel."""
    return ChoiceScreen(
        "This may create a duplicate",
        f"{finding.message}\n\nReconcile first to read what Plivo has, then decide.",
        [(RECONCILE, "Reconcile first"), (SUBMIT, "Submit anyway")],
    )


class DuplicateCheck:
    """Mixin for a FormScreen whose request creates something (brand, campaign).

    With a `preflight`, a submit that matches an earlier unanswered or still-awaited request
    asks first. After "Reconcile first" or "Submit anyway", the same request goes through.
    """

    ACTION: ClassVar[str] = ""
    preflight: Preflight | None = None
    _acknowledged: tuple[str, str] | None = None

    def ready_to_send(self, request: Any) -> bool:
        if self.preflight is None:
            return True
        params = request.params()
        key = identity(self.ACTION, params)
        if key is None or key == self._acknowledged:
            return True
        finding = self.preflight.duplicate(self.ACTION, params)
        if finding is None:
            return True

        def answered(choice: str | None) -> None:
            if choice == SUBMIT:
                self._acknowledged = key
                self.action_submit()
            elif choice == RECONCILE:
                self._acknowledged = key
                self.reconcile_first(params)

        self.app.push_screen(duplicate_screen(finding), answered)
        return False

    @work(exclusive=True, exit_on_error=False, group="reconcile", description="reconcile first")
    async def reconcile_first(self, params: dict[str, Any]) -> None:
        """Reconcile everything, then say what Plivo has under this alias; the user decides."""
        assert self.preflight is not None
        self.show_errors({}, top="Reconciling with Plivo before you decide…")
        try:
            change = await self.preflight.reconcile()
        except (GatewayError, StoreError) as exc:
            self.show_errors({}, top=f"Reconcile failed: {exc}. Submit again to send anyway.")
            self.notify(str(exc), title="reconcile failed", severity="error")
            return
        count = len(change.resources)
        said = self.preflight.after_reconcile(self.ACTION, params)
        self.show_errors({}, top=f"Reconciled: {count} change{'s' * (count != 1)}. {said}")
        self.notify(f"{count} change{'s' * (count != 1)}", title="reconcile")
