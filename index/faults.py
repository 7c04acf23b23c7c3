"""Fault points for the crash tests: the process kills itself where a test asks it to.

`NEWSQA_TEST_FAULT=point:k` makes the k-th arrival at `crash_point("point")` send SIGKILL to this
process, so a test can check what a real crash at that step leaves behind. Unset (always, outside
tests), `crash_point` returns at once. The variable is read only here.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

FAULT_VARIABLE = "NEWSQA_TEST_FAULT"
"""Environment variable naming the fault point and the arrival to die at, e.g. `embed:3`."""

_arrivals: Counter[str] = Counter()


def crash_point(point: str) -> None:
    """SIGKILL this process if `NEWSQA_TEST_FAULT` names `point` and this is the chosen arrival."""
    wanted = os.environ.get(FAULT_VARIABLE)
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != point:
        return
    _arrivals[point] += 1
    if _arrivals[point] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
