"""`--tunnel cloudflared`: a Cloudflare quick tunnel (no account) run as a child process."""

from __future__ import annotations

import asyncio
import re
import shutil
from contextlib import suppress

from receiver.tunnels.base import Tunnel, TunnelState, TunnelStatus

INSTALL_HINT = (
    "install it from https://developers.cloudflare.com/cloudflare-one/connections/"
    "connect-networks/downloads/ or use --public-url"
)
# cloudflared prints the quick-tunnel URL inside a box on stderr:
#   INF |  https://random-words-here.trycloudflare.com  |
# api.trycloudflare.com shows up in error lines and is never the tunnel's URL.
URL_RE = re.compile(r"https://(?!api\.)[a-z0-9][a-z0-9-]*\.trycloudflare\.com\b", re.IGNORECASE)
MAX_REASON_LINE = 200


def find_url(line: str) -> str | None:
    """The trycloudflare.com URL in one line of cloudflared output, if any."""
    match = URL_RE.search(line)
    return match.group(0).lower() if match else None


class CloudflaredTunnel(Tunnel):
    """Runs `cloudflared tunnel --url LOCAL_URL` and follows the URL it prints.

    UP when a URL appears (again UP, with the new URL, if it prints another one later);
    DOWN when the binary is missing, the process exits, or no URL appears in `url_timeout`
    seconds. `stop()` terminates the process and kills it after `stop_timeout` seconds.
    """

    kind = "cloudflared"

    def __init__(
        self,
        local_url: str,
        *,
        binary: str = "cloudflared",
        url_timeout: float = 30.0,
        stop_timeout: float = 5.0,
    ) -> None:
        super().__init__(local_url)
        self.binary = binary
        self.url_timeout = url_timeout
        self.stop_timeout = stop_timeout
        self._proc: asyncio.subprocess.Process | None = None
        self._watch: asyncio.Task[None] | None = None
        self._settled: asyncio.Future[TunnelStatus] | None = None
        self._last_line = ""
        self._stopping = False

    @property
    def pid(self) -> int | None:
        """Process id of the running cloudflared, if any."""
        return self._proc.pid if self._proc is not None else None

    @property
    def returncode(self) -> int | None:
        """Exit code of the last cloudflared process (None while it runs or before start)."""
        return self._proc.returncode if self._proc is not None else None

    async def start(self) -> TunnelStatus:
        if self._proc is not None and self._proc.returncode is None:
            return self.status
        path = shutil.which(self.binary)
        if path is None:
            return self._set_status(
                TunnelState.DOWN, None, f"{self.binary} not found on PATH: {INSTALL_HINT}"
            )
        self._stopping = False
        self._last_line = ""
        self._set_status(
            TunnelState.STARTING, None, f"starting cloudflared quick tunnel to {self.local_url}"
        )
        try:
            proc = await asyncio.create_subprocess_exec(
                path,
                "tunnel",
                "--url",
                self.local_url,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            return self._set_status(
                TunnelState.DOWN,
                None,
                f"could not run {path}: {exc.strerror or exc}; {INSTALL_HINT}",
            )
        self._proc = proc
        self._settled = asyncio.get_running_loop().create_future()
        self._watch = asyncio.create_task(self._follow(proc), name="tendlc-cloudflared")
        try:
            async with asyncio.timeout(self.url_timeout):
                return await asyncio.shield(self._settled)
        except TimeoutError:
            await self._halt()
            last = f" (last output: {self._last_line})" if self._last_line else ""
            return self._set_status(
                TunnelState.DOWN,
                None,
                f"cloudflared printed no tunnel URL within {self.url_timeout:g} s{last}: "
                "check your network, or use --public-url",
            )
        except asyncio.CancelledError:
            await self._halt()
            raise

    async def stop(self) -> None:
        await self._halt()
        if self._status.state is not TunnelState.OFF:
            self._set_status(TunnelState.OFF, None, "stopped")

    async def _halt(self) -> None:
        """Terminate the process (kill it after `stop_timeout`) and wait for the reader task."""
        self._stopping = True
        proc, watch = self._proc, self._watch
        if proc is not None and proc.returncode is None:
            with suppress(ProcessLookupError):
                proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), self.stop_timeout)
            except TimeoutError:
                with suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if watch is not None:
            with suppress(asyncio.CancelledError):
                await watch
            self._watch = None

    def _settle(self, status: TunnelStatus) -> None:
        if self._settled is not None and not self._settled.done():
            self._settled.set_result(status)

    async def _follow(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        await asyncio.gather(self._read(proc.stdout, False), self._read(proc.stderr, True))
        code = await proc.wait()
        if self._stopping:
            return
        last = f": {self._last_line}" if self._last_line else ""
        self._settle(
            self._set_status(TunnelState.DOWN, None, f"cloudflared exited with code {code}{last}")
        )

    async def _read(self, stream: asyncio.StreamReader, is_stderr: bool) -> None:
        while True:
            try:
                raw = await stream.readline()
            except ValueError:  # an over-long line: asyncio dropped it, keep reading
                continue
            if not raw:
                return
            line = raw.decode(errors="replace").strip()
            if not line:
                continue
            if is_stderr:
                self._last_line = line[:MAX_REASON_LINE]
            url = find_url(line)
            if url is None or self._stopping:
                continue
            if self._status.state is not TunnelState.UP or self._status.url != url:
                self._settle(
                    self._set_status(
                        TunnelState.UP,
                        url,
                        f"cloudflared quick tunnel to {self.local_url} (may take a few seconds to be reachable)",
                    )
                )
