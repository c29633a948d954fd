"""Subprocess side of the policy engine: read a request on stdin (`jobs`: each a policy's modules and
query; `inputs`: the documents), print per job the deny sets of every document, or its error, as JSON.

Runs apart from the caller because rego-cpp may crash the whole process. rego-cpp also prints compile
errors on the C-level stdout, so fd 1 is pointed at a temp file while it works and the reply goes to
the original stdout alone.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile

from regopy import Interpreter


def _evaluate(modules: dict[str, str], query: str, document: dict) -> list[str]:
    interpreter = Interpreter()
    for name, source in modules.items():
        interpreter.add_module(name, source)
    interpreter.set_input(document)
    output = interpreter.query(query)
    if not output.ok():
        raise RuntimeError(str(output))
    text = str(output)
    if text.strip() == "undefined":
        raise RuntimeError(f"{query} is undefined: is the package name right?")
    value = json.loads(text)["expressions"][0]
    if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
        raise RuntimeError(f"{query} must be a set of strings, got {value!r}")
    return value


def _readable(error: str, printed: str) -> str:
    """The engine's own report ("Invalid arithmetic operator -- lib/x.rego:3:29") when it printed one."""
    located = re.findall(r"^(?!Errors:)(\S.*)\n-- (\S+:\d+:\d+)$", printed, flags=re.MULTILINE)
    if located:
        return "Rego error: " + "; ".join(f"{where}: {what}" for what, where in located)
    messages = re.findall(r"\(errormsg \d+:([^)]*)\)", error)
    return "Rego error: " + "; ".join(messages) if messages else " ".join(error.split())[:500]


def main() -> None:
    request = json.load(sys.stdin)
    reply_to = os.fdopen(os.dup(1), "w")
    with tempfile.TemporaryFile(mode="w+") as printed:
        os.dup2(printed.fileno(), 1)
        replies = [_job(job, request["inputs"], printed) for job in request["jobs"]]
    json.dump({"replies": replies}, reply_to)
    reply_to.close()


def _job(job: dict, inputs: list[dict], printed) -> dict:
    """One policy on every input; an error is reported to the caller as a policy error, never swallowed."""
    printed.seek(0)
    printed.truncate()
    try:
        return {"results": [_evaluate(job["modules"], job["query"], d) for d in inputs]}
    except Exception as exc:  # noqa: BLE001
        sys.stdout.flush()
        printed.seek(0)
        return {"error": _readable(str(exc), printed.read())}


if __name__ == "__main__":
    main()
