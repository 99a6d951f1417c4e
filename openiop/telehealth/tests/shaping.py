"""Limit one person's link inside the lab namespace with tc (VIDEO.md, "Weak links in tests").

This kernel has no netem, so a weak link is a rate limit with a short queue: when more is sent
than fits, the queue overflows and packets are dropped and delayed, as on a congested mobile
link. Every page in the lab talks to Janus on 10.99.0.1 from 10.99.0.1, so all media crosses the
namespace's ``lo``; one person's traffic is told apart by the UDP ports their browser uses (one
per peer connection, read from getStats()). An ``htb`` root sends everything else straight
through (no default class), and two classes limit that person's download (to their ports) and
upload (from their ports) separately, like the two directions of a real link.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable

from .lab import NetNamespace

DOWN, UP = "1:10", "1:11"
QUEUE_SECONDS = 0.25  # a modest buffer: overload shows as loss within a fraction of a second
MIN_QUEUE_BYTES = 3000  # at least two full-size media packets
BURST = "3000"  # lo's MTU is 64 KiB: without this htb would let 64 KiB bursts through


class LinkLimit:
    def __init__(self, ns: NetNamespace, ports: Iterable[int]) -> None:
        self.ns = ns
        self.ports = sorted(set(ports))
        self.kbit: int | None = None
        assert self.ports, "no media ports to limit"

    def _tc(self, *args: str) -> None:
        subprocess.run([*self.ns.prefix, "tc", *args], check=True, capture_output=True)

    def _queue_bytes(self, kbit: int) -> str:
        return str(max(MIN_QUEUE_BYTES, int(kbit * 1000 / 8 * QUEUE_SECONDS)))

    def set(self, kbit: int) -> None:
        """Limit both directions to ``kbit``; a second call changes the rate in place."""
        verb = "add" if self.kbit is None else "change"
        if self.kbit is None:
            self._tc("qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb")
        for n, classid in enumerate((DOWN, UP)):
            rate = f"{kbit}kbit"
            self._tc(
                "class", verb, "dev", "lo", "parent", "1:", "classid", classid, "htb",
                "rate", rate, "ceil", rate, "burst", BURST, "cburst", BURST,
            )  # fmt: skip
            queue = ("parent", classid, "handle", f"{10 + n}:", "bfifo")
            self._tc("qdisc", "replace", "dev", "lo", *queue, "limit", self._queue_bytes(kbit))
        if self.kbit is None:
            for port in self.ports:
                for direction, classid in (("dport", DOWN), ("sport", UP)):
                    self._tc(
                        "filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip",
                        "prio", "1", "u32", "match", "ip", direction, str(port), "0xffff",
                        "flowid", classid,
                    )  # fmt: skip
        self.kbit = kbit

    def lift(self) -> None:
        if self.kbit is not None:
            self._tc("qdisc", "del", "dev", "lo", "root")
        self.kbit = None

    def stats(self) -> str:
        """tc's own counters (sent, dropped, overlimits), for a failure message."""
        result = subprocess.run(
            [*self.ns.prefix, "tc", "-s", "class", "show", "dev", "lo"],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout
