"""summitbot: answers questions about tech summits, IoT expos and ITU events from sourced facts."""

from __future__ import annotations

import os

# One BLAS thread, set before numpy loads: the engine's products are one query vector against a few thousand
# rows, far too small to share, and OpenBLAS's threads spin-wait against the event loop on a 2-core machine
# (a 3,800 × 384 product took 10 ms instead of 0.3 ms; bench/bench_engine.py). A value already set wins.
for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

__version__ = "0.1.0"
