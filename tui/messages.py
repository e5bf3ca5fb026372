"""Messages the app's screens exchange: store changes, tunnel status, form outcomes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from receiver.domain.models import Change

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from receiver.store.store import Store


@dataclass
class RegistryChanged(Message):
    """The store recorded something (a callback, a request, a reconcile) and told us."""

    change: Change


def follow_store(store: Store, node: MessagePump) -> Callable[[], None]:
    """Post a RegistryChanged to `node` for every change `store` announces (from any thread);
    returns the unsubscribe, for `on_unmount`."""
    return store.subscribe(lambda change: node.post_message(RegistryChanged(change)))


@dataclass
class TunnelChanged(Message):
    """The tunnel's state or URL moved; `status` is a receiver.tunnels.base.TunnelStatus."""

    status: object

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TunnelChanged)


@dataclass
class ServicesStarted(Message):
    """The receiver (and sandbox, tunnel) are up; the header can show real addresses."""


@dataclass
class ServicesFailed(Message):
    """A long-lived service could not start; `reason` says what to do."""

    reason: str
