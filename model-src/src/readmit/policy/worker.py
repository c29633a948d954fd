"""Subprocess side of the policy engine: read a request on stdin, print deny sets as JSON.

Runs apart from the caller because rego-cpp may crash the whole process.
"""

from __future__ import annotations

import json
import sys


def _evaluate(modules: dict[str, str], query: str, document: dict) -> list[str]:
    from regopy import Interpreter

    interpreter = Interpreter()
    for name, source in modules.items():
        interpreter.add_module(name, source)
    interpreter.set_input(document)
    output = interpreter.query(query)
    if not output.ok():
        raise RuntimeError(str(output).strip().splitlines()[0:3])
    text = str(output)
    if text.strip() == "undefined":
        raise RuntimeError(f"{query} is undefined: is the package name right?")
    value = json.loads(text)["expressions"][0]
    if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
        raise RuntimeError(f"{query} must be a set of strings, got {value!r}")
    return value


def main() -> None:
    request = json.load(sys.stdin)
    try:
        results = [_evaluate(request["modules"], request["query"], doc) for doc in request["inputs"]]
        reply = {"results": results}
    except Exception as exc:  # reported to the caller as a policy error, never swallowed
        reply = {"error": " ".join(str(exc).split())[:500]}
    json.dump(reply, sys.stdout)


if __name__ == "__main__":
    main()
