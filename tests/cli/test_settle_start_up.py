"""A long-running command sets its start-up aside from the cycle collector, after collecting what was garbage."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_start_up_is_collected_then_frozen_and_later_garbage_still_collected() -> None:
    script = textwrap.dedent("""
        import gc, weakref
        from xdock.cli._common import settle_start_up

        class Node:
            pass

        def cycle():
            a, b = Node(), Node()
            a.other, b.other = b, a
            return weakref.ref(a)

        kept = Node()
        before = cycle()  # garbage at start-up: collected, not frozen for ever
        settle_start_up()
        print(before() is None, gc.get_freeze_count() > 1000, any(o is kept for o in gc.get_objects()))
        after = cycle()  # garbage made later: the collector still finds it
        gc.collect()
        print(after() is None)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["True", "True", "False", "True"]
