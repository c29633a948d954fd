"""A GRU over the last K encounters (padded, masked via packing) plus a static head, trained on the CPU.

Determinism: seeded generator for init and shuffling, `torch.use_deterministic_algorithms(True)`,
a fixed thread count (THREADS), and float32 throughout.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from readmit.features.build import CATEGORICAL_PREFIX

DEFAULTS = {
    "hidden": 32,
    "epochs": 4,
    "lr": 4e-3,
    "batch_size": 1024,
    "weight_decay": 1e-4,
    "max_steps": 6,
    "min_updates": 200,
}
MAX_EPOCHS = 40  # the cap on the epochs `min_updates` may add on small training sets
# One intra-op thread: the net is small (hidden 32, batches of 1,024 stays of 6 steps), so a second thread
# buys little, and while other work shares the cores (the pipeline trains beside its scans) OpenMP's
# spin-waiting costs far more: 20 optimizer steps on the demo cohort took 12.4 CPU s with 2 threads and
# 3.9 with 1 at load average 13 (bench figures in docs/demo.md). MLServer's runtime also scores on 1.
THREADS = 1


class SequenceNet(nn.Module):
    """Each step (an encounter) is projected by a learned linear layer, so its multi-hot diagnosis codes
    get a learned embedding, then a GRU reads the steps; the head adds the static index features."""

    def __init__(self, step_width: int, static_width: int, hidden: int):
        super().__init__()
        self.embed = nn.Sequential(nn.Linear(step_width, hidden), nn.ReLU())
        self.gru = nn.GRU(hidden, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden + static_width, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, seq, lengths, static):
        packed = pack_padded_sequence(
            self.embed(seq), lengths.clamp(min=1), batch_first=True, enforce_sorted=False
        )
        _, last = self.gru(packed)
        return self.head(torch.cat([last[-1], static], dim=1)).squeeze(1)


def configure_torch(threads: int = THREADS, training: bool = False) -> None:
    """The thread count; for training also deterministic algorithms. Scoring leaves the flag alone: it is a
    forward pass on the CPU (linear, GRU, ReLU, sigmoid), which gives the same scores run to run at a fixed
    thread count, and the flag's first use imports torch._inductor (about 2 CPU s in every process that
    loads a model: export, evaluate, MLServer)."""
    if training:
        torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)


def fit(
    seq: np.ndarray, lengths: np.ndarray, static: np.ndarray, y: np.ndarray, params: dict, seed: int
) -> SequenceNet:
    config = {**DEFAULTS, **{k: v for k, v in params.items() if k in DEFAULTS}}
    configure_torch(training=True)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    net = SequenceNet(seq.shape[2], static.shape[1], int(config["hidden"]))
    optimizer = torch.optim.AdamW(
        net.parameters(), lr=float(config["lr"]), weight_decay=float(config["weight_decay"])
    )
    prevalence = float(np.clip(y.mean(), 1e-3, 1 - 1e-3))
    with torch.no_grad():  # start at the base rate so early epochs learn ranking, not the prior
        net.head[-1].bias.fill_(float(np.log(prevalence / (1 - prevalence))))
    tensors = [
        torch.from_numpy(seq),
        torch.from_numpy(lengths),
        torch.from_numpy(static),
        torch.from_numpy(y.astype(np.float32)),
    ]
    loss_fn = nn.BCEWithLogitsLoss()
    batch = int(config["batch_size"])
    epochs = (
        int(config["epochs"])  # an explicit epoch count (a test, a tuning trial's shortcut) is kept as given
        if "epochs" in params
        else _epochs(len(y), batch, int(config["epochs"]), int(config["min_updates"]))
    )
    net.train()
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=generator)
        for start in range(0, len(y), batch):
            idx = order[start : start + batch]
            s, n, st, target = (t[idx] for t in tensors)
            optimizer.zero_grad()
            loss_fn(net(s, n, st), target).backward()
            optimizer.step()
    net.eval()
    return net


def _epochs(n_rows: int, batch: int, epochs: int, min_updates: int) -> int:
    """The default `epochs`, raised on small training sets until there are at least `min_updates`
    optimizer steps (capped at MAX_EPOCHS): a fixed epoch count leaves a cohort of ~15k rows with only
    ~60 updates, far from converged, while large sets (the UCI data: ~58 batches an epoch) keep their
    epoch count."""
    per_epoch = max(1, -(-n_rows // max(batch, 1)))
    needed = -(-max(min_updates, 0) // per_epoch)
    return max(epochs, min(needed, MAX_EPOCHS))


def predict(
    net: SequenceNet, seq: np.ndarray, lengths: np.ndarray, static: np.ndarray, threads: int = THREADS
) -> np.ndarray:
    configure_torch(threads)
    out = []
    with torch.no_grad():
        for start in range(0, len(lengths), 4096):
            sl = slice(start, start + 4096)
            logits = net(
                torch.from_numpy(seq[sl]), torch.from_numpy(lengths[sl]), torch.from_numpy(static[sl])
            )
            out.append(torch.sigmoid(logits).numpy().astype(np.float64))
    return np.concatenate(out) if out else np.zeros(0)


class StaticScaler:
    """Standardises the index-encounter columns the sequence head sees (history comes from the GRU)."""

    def __init__(self, frame):
        # history comes from the GRU; categorical codes are labels, not quantities, and stay with LightGBM
        self.columns = [c for c in frame.columns if not c.startswith(("hist_", "lab_", CATEGORICAL_PREFIX))]
        values = frame[self.columns].to_numpy(dtype=np.float64)
        self.mean = np.nan_to_num(np.nanmean(values, axis=0)) if len(values) else np.zeros(len(self.columns))
        std = np.nanstd(values, axis=0) if len(values) else np.ones(len(self.columns))
        self.std = np.where(np.nan_to_num(std) > 1e-9, np.nan_to_num(std), 1.0)

    def transform(self, frame) -> np.ndarray:
        values = (frame[self.columns].to_numpy(dtype=np.float64) - self.mean) / self.std
        return np.nan_to_num(values).astype(np.float32)
