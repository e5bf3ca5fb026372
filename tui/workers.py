"""Background work started by screens and controllers, and the toast for one that broke.

Textual posts `Worker.StateChanged` to the node that ran the worker and does not bubble it, so
a worker run on a screen fails where the app never hears of it. `run_background` runs it on the
app instead: `TendlcApp.on_worker_state_changed` then sees every group's failure, from any
screen, and leaving the screen does not cancel an export or a replay half-way.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from textual.dom import DOMNode
from textual.worker import Worker


def run_background(
    node: DOMNode,
    work: Coroutine[Any, Any, Any],
    *,
    group: str,
    description: str,
    exclusive: bool = False,
) -> Worker:
    """Run `work` on `node`'s app; an unexpected error becomes one error toast (never an exit).

    `exclusive`: only for latest-wins work (a reconcile of everything), never for a submit.
    """
    return node.app.run_worker(
        work, group=group, description=description, exclusive=exclusive, exit_on_error=False
    )


def failure_text(worker: Worker) -> str:
    """`export a timeline: unexpected RuntimeError: disk on fire`."""
    error = worker.error
    what = worker.description or worker.group
    if error is None:
        return f"{what}: stopped without saying why"
    reason = str(error) or "no message"
    return f"{what}: unexpected {type(error).__name__}: {reason}"
