"""Runs first in the frozen build, before any of the console's modules."""

import os

# numba's compiled kernels go to the user's cache folder (numba's user-wide locator for frozen
# programs), never next to the program, which may be read-only on a managed workstation.
# "generic" makes the shipped cache (packaging/build.sh compiles it) valid on any x86-64 CPU.
os.environ.setdefault("NUMBA_CPU_NAME", "generic")
