"""The one export flow: ask for a file name, write it in a thread, say where it went."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from receiver.store.export import ExportFailed, target_path
from receiver.store.store import StoreError
from receiver.wording import plural
from tui.screens.prompt import PromptScreen
from tui.workers import run_background

if TYPE_CHECKING:
    from textual.dom import DOMNode

HINT = "a new file (.jsonl, or .csv for CSV) or a directory"


@dataclass(frozen=True, slots=True)
class Export:
    """What to ask, and how to write it: `write(path)` returns how many entries it wrote."""

    question: str  # "Export the event log to"
    default: str  # the file name offered (and used inside a directory)
    write: Callable[[Path], int]
    description: str  # the worker's, shown if it breaks: "export the event log"
    done_title: str  # "event log exported"
    word: str = "entry"
    words: str = "entries"


def _needs_name(text: str) -> str | None:
    return None if text.strip() else "type a file name"


def ask_and_export(node: DOMNode, export: Export) -> None:
    """Prompt for the target; on a name, export in the background; a toast tells the outcome."""
    prompt = PromptScreen(export.question, export.default, hint=HINT, check=_needs_name)

    def chosen(typed: str | None) -> None:
        if typed:
            path = target_path(typed, export.default)
            run_background(
                node, write_export(node, export, path), group="export",
                description=export.description,
            )  # fmt: skip

    node.app.push_screen(prompt, chosen)


async def write_export(node: DOMNode, export: Export, path: Path) -> None:
    """Write off the loop; an expected failure (file exists, no such folder) is a toast."""
    try:
        count = await asyncio.to_thread(export.write, path)
    except (ExportFailed, StoreError) as exc:
        node.notify(str(exc), title="export failed", severity="error", timeout=10, markup=False)
        return
    node.notify(
        f"{plural(count, export.word, export.words)} → {path.resolve()}",
        title=export.done_title,
        markup=False,
    )
