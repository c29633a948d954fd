"""The registry reader: a spawned process without the cycle collector, the caller's own left as it was."""

from __future__ import annotations

import subprocess
import sys


def test_a_fresh_caller_reads_in_a_spawned_process_that_runs_without_the_cycle_collector():
    script = (
        "import gc, os\n"
        "from readmit import registry\n"
        "if __name__ == '__main__':\n"
        "    with registry.reader() as reading:\n"
        "        child = reading.submit(os.getpid).result(), reading.submit(gc.isenabled).result()\n"
        "    print(child[0] != os.getpid(), child[1], gc.isenabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False", "True"]
