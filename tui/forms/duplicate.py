"""Before a create that repeats an earlier unanswered one: warn, offer to reconcile first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plivo_client.preflight import identity
from plivo_client.types import GatewayError
from receiver.store.store import StoreError
from receiver.wording import plural
from tui.screens.prompt import ChoiceScreen

if TYPE_CHECKING:
    from plivo_client.preflight import Finding, Preflight
    from tui.forms.common import FormScreen

RECONCILE, SUBMIT = "reconcile-first", "submit-anyway"


def duplicate_screen(finding: Finding) -> ChoiceScreen:
    """The question: reconcile first (the default), submit anyway, or cancel."""
    return ChoiceScreen(
        "This may create a duplicate",
        f"{finding.message}\n\nReconcile first to read what Plivo has, then decide.",
        [(RECONCILE, "Reconcile first"), (SUBMIT, "Submit anyway")],
    )


class DuplicateGuard:
    """Owned by a form whose request creates something (brand, campaign): its
    `ready_to_send` asks `guard.ready(request)`.

    With a `preflight`, a submit that matches an earlier unanswered or still-awaited request
    asks first. After "Reconcile first" or "Submit anyway", the same request goes through.
    """

    def __init__(self, form: FormScreen, action: str, preflight: Preflight | None) -> None:
        self.form = form
        self.action = action  # "brand.create"
        self.preflight = preflight
        self._acknowledged: tuple[str, str] | None = None

    def ready(self, request: Any) -> bool:
        if self.preflight is None:
            return True
        params = request.params()
        key = identity(self.action, params)
        if key is None or key == self._acknowledged:
            return True
        finding = self.preflight.duplicate(self.action, params)
        if finding is None:
            return True

        def answered(choice: str | None) -> None:
            if choice == SUBMIT:
                self._acknowledged = key
                self.form.action_submit()
            elif choice == RECONCILE:
                self._acknowledged = key
                self.form.run_worker(
                    self.reconcile_first(params),
                    group="reconcile",
                    exclusive=True,
                    exit_on_error=False,
                    description="reconcile first",
                )

        self.form.app.push_screen(duplicate_screen(finding), answered)
        return False

    async def reconcile_first(self, params: dict[str, Any]) -> None:
        """Reconcile everything, then say what Plivo has under this alias; the user decides."""
        assert self.preflight is not None
        form = self.form
        form.show_errors({}, top="Reconciling with Plivo before you decide…")
        try:
            change = await self.preflight.reconcile()
        except (GatewayError, StoreError) as exc:
            form.show_errors({}, top=f"Reconcile failed: {exc}. Submit again to send anyway.")
            form.notify(str(exc), title="reconcile failed", severity="error")
            return
        count = len(change.resources)
        said = self.preflight.after_reconcile(self.action, params)
        form.show_errors({}, top=f"Reconciled: {plural(count, 'change')}. {said}")
        form.notify(plural(count, "change"), title="reconcile")
