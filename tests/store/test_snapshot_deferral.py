"""A due registry snapshot waits for a quiet moment (bounded), so it never lands mid-burst."""

from __future__ import annotations

from receiver.store.disk.atomicdb import atomic_write
from receiver.store.snapshot import MAX_DEFER, Snapshotter


class FakeLoop:
    """Just enough of an event loop: a settable clock and call_later timers run by hand."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[tuple[float, object, tuple]] = []

    def time(self) -> float:
        return self.now

    def call_later(self, delay: float, fn, *args):
        self.timers.append((self.now + delay, fn, args))
        return self

    def cancel(self) -> None:  # call_later returns the loop itself as the "handle"
        self.timers.clear()

    def run_due(self, until: float) -> None:
        while due := sorted((t for t in self.timers if t[0] <= until), key=lambda t: t[0]):
            self.timers.remove(due[0])
            when, fn, args = due[0]
            self.now = max(self.now, when)
            fn(*args)
        self.now = until


def _snapshotter(tmp_path, started: list[float], loop: FakeLoop) -> Snapshotter:
    snap = Snapshotter(
        tmp_path / "registry.json",
        state=lambda: (0, []),
        clock=lambda: 0.0,
        write_file=atomic_write,
        interval=1.0,
    )
    snap.start = lambda _loop: started.append(loop.time())  # record when it would write
    return snap


def test_a_due_snapshot_waits_until_commits_pause(tmp_path):
    loop, started = FakeLoop(), []
    snap = _snapshotter(tmp_path, started, loop)
    snap.soon(loop, applied_seq=10)  # due at 1.0
    loop.now = 0.9
    snap.soon(loop, applied_seq=11)  # a commit just before it falls due
    loop.run_due(1.0)
    assert started == []  # busy: deferred
    loop.run_due(1.6)
    assert started == [1.5]  # written once commits had paused for 0.5 s
    snap.shutdown()


def test_sustained_traffic_defers_at_most_max_defer(tmp_path):
    loop, started = FakeLoop(), []
    snap = _snapshotter(tmp_path, started, loop)
    snap.soon(loop, applied_seq=1)
    t, seq = 0.0, 1
    while t < MAX_DEFER + 5 and not started:
        t += 0.1
        seq += 1
        loop.run_due(t)
        snap.soon(loop, applied_seq=seq)  # a commit every 0.1 s, never quiet
    assert started and 1.0 + MAX_DEFER - 0.01 <= started[0] <= 1.0 + MAX_DEFER + 0.6
    snap.shutdown()
