"""In place of a local receiver when the console is attached: the server's callback URL (what
requests carry, what the header shows), and the stream started and stopped with the services."""

from __future__ import annotations

from urllib.parse import urlsplit

from receiver.attached.store import AttachedStore
from receiver.config import DEFAULT_CALLBACK_PATH, ReceiverConfig


def server_config(base: str, callback_url: str) -> ReceiverConfig:
    """A ReceiverConfig whose callback_url is the server's and whose address is the server's."""
    parts = urlsplit(callback_url or base)
    where = urlsplit(base)
    port = where.port or (443 if where.scheme == "https" else 80)
    return ReceiverConfig(
        host=where.hostname or "",
        port=port,
        public_url=f"{parts.scheme}://{parts.netloc}",
        callback_path=parts.path if callback_url else DEFAULT_CALLBACK_PATH,
    )


class AttachedReceiver:
    """What the console's services hold as `receiver` when the store is a server's."""

    def __init__(self, store: AttachedStore) -> None:
        self.store = store
        self.config = server_config(store.url, store.callback_url)
        self.warnings: list[str] = []
        self.inbox_info = None

    @property
    def address(self) -> str:
        """What the status bar shows as the receiver: the server."""
        return self.store.url

    async def start(self) -> None:
        await self.store.follow()

    async def stop(self) -> None:
        await self.store.close()

    def set_public_url(self, url: str | None) -> None:
        """The server's public URL is its own: a local tunnel cannot change it."""
