"""Stream resources into `<Type>.000.ndjson[.gz]` files as they are made (memory stays flat)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path


class Sink:
    def __init__(self, directory: Path, types: tuple[str, ...], gz: bool = False):
        self.counts = dict.fromkeys(types, 0)
        self._files = {}
        for rtype in types:
            path = Path(directory) / f"{rtype}.000.ndjson{'.gz' if gz else ''}"
            raw = open(path, "wb")  # noqa: SIM115 - held open across add() calls, closed by close()
            # No name and no timestamp in the gzip header: same seed, same bytes.
            self._files[rtype] = (
                gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) if gz else raw,
                raw,
            )
        self._encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode

    def add(self, rtype: str, resource: dict) -> None:
        self._files[rtype][0].write(self._encode(resource).encode() + b"\n")
        self.counts[rtype] += 1

    def close(self) -> None:
        for stream, raw in self._files.values():
            stream.close()
            raw.close()
