"""One place that pins every source of randomness and thread-level nondeterminism."""

from __future__ import annotations

import os
import random

import numpy as np

THREADS = 2


def seed_everything(seed: int, threads: int = THREADS) -> None:
    import torch

    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)
