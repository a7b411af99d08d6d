"""warm() leaves the compiled tabu kernel in numba's on-disk cache: a new process loads it instead of compiling."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json
from xdock.cdap import kernel
from xdock.cdap.tabu import warm
warm()
print(json.dumps({
    name: [sum(entry.stats.cache_hits.values()), sum(entry.stats.cache_misses.values())]
    for name, entry in (("walk", kernel.walk), ("kick", kernel.kick), ("reset", kernel.reset))
}))
"""


def _warm_in_new_process() -> dict[str, list[int]]:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=300, check=True)
    counts: dict[str, list[int]] = json.loads(done.stdout.strip().splitlines()[-1])
    return counts


def test_after_one_warm_a_new_process_loads_every_entry_point_from_the_cache() -> None:
    _warm_in_new_process()  # compiles only if the cache is missing or the kernel's source changed
    assert _warm_in_new_process() == {"walk": [1, 0], "kick": [1, 0], "reset": [1, 0]}
