"""The environments and their history: which environments exist and in what order
(`environments/order.yaml`), the live state of each (`models.yaml`), and what git says happened to them.

Modules: `order` (names, --env values), `state` (EnvState, parse, dump), `provenance` (annotation and
trailer names), `canary_limit` (the env's canary limit, on its Namespace), `log` (git log of
environments/), `timeline` (changes, segments), `history` (all of it, read once).
"""

from readmit.envs.order import ALL, choices, names, require, resolve

__all__ = ["ALL", "choices", "names", "require", "resolve"]
