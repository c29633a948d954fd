"""The runner on small inline Pipelines: substitution in real steps, ordering, concurrency, when, finally,
local fallback, taskRef resolution, dry run, and errors for what it does not support."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from pipeline_inline import pipeline, status_json, step, task
from readmit.errors import CheckFailed, InputError


def test_every_substitution_form_reaches_the_step(runner, tmp_path):
    ws = tmp_path / "ws"
    doc = pipeline(
        [
            task(
                "produce",
                [step("write", "printf '%s' \"$(params.GREETING)\" > $(results.WORD.path)")],
                params=[{"name": "GREETING", "value": "$(params['GREETING'])"}],
                results=[{"name": "WORD"}],
            ),
            task(
                "consume",
                [
                    step(
                        "echo",
                        'printf "%s|%s|%s|%s" "$WORD" "$(workspaces.out.path)" "$(context.pipelineRun.name)" '
                        '"$(params["WORD"])" > $(workspaces.out.path)/got\n',
                        env=[{"name": "WORD", "value": "$(params.WORD)"}],
                    ),
                    {
                        "name": "args",
                        "image": "x",
                        "command": ["sh", "-c", 'echo "$@" > "$0"/args'],
                        "args": ["$(workspaces.out.path)", "$(params.ITEMS[*])"],
                    },
                ],
                params=[
                    {"name": "WORD", "value": "$(tasks.produce.results.WORD)"},
                    {"name": "ITEMS", "value": ["$(params.ITEMS[*])", "z"]},
                ],
                workspaces=[{"name": "out", "workspace": "shared"}],
            ),
        ],
        params=[
            {"name": "GREETING", "default": "hello"},
            {"name": "ITEMS", "type": "array", "default": ["x"]},
        ],
        workspaces=[{"name": "shared"}],
    )
    doc["spec"]["tasks"][1]["taskSpec"].update(
        params=[{"name": "WORD"}, {"name": "ITEMS", "type": "array"}], workspaces=[{"name": "out"}]
    )
    state, _ = runner(doc, params={"GREETING": "hi there", "ITEMS": "a,b"}, workspaces={"shared": str(ws)})
    assert (ws / "got").read_text() == f"hi there|{ws}|r|hi there"
    assert (ws / "args").read_text().split() == ["a", "b", "z"]
    assert status_json(state)["status"]["conditions"][0]["reason"] == "Succeeded"


def test_a_result_reference_orders_tasks_without_run_after(runner):
    doc = pipeline(
        [
            task(
                "consumer",
                [step("s", 'test "$(params.V)" = ready')],
                params=[{"name": "V", "value": "$(tasks.producer.results.R)"}],
            ),
            task(
                "producer",
                [step("s", "sleep 0.3; printf ready > $(results.R.path)")],
                results=[{"name": "R"}],
            ),
        ]
    )
    doc["spec"]["tasks"][0]["taskSpec"]["params"] = [{"name": "V"}]
    state, lines = runner(doc, jobs=4)
    assert state.outcomes["consumer"].status == "Succeeded"
    assert state.deps["consumer"] == {"producer": "results"}
    done = next(i for i, m in enumerate(lines) if m.startswith("producer: Succeeded"))
    started = next(i for i, m in enumerate(lines) if m.startswith("consumer: started"))
    assert started > done


def test_independent_tasks_run_concurrently_up_to_jobs(runner, tmp_path):
    # Each task waits for the other's file: only a concurrent run lets both succeed.
    flag = tmp_path / "flags"
    flag.mkdir()
    wait = (
        "touch {f}/$(context.task.name); i=0; "
        "while [ ! -e {f}/{other} ]; do i=$((i+1)); [ $i -lt 200 ] || exit 9; sleep 0.05; done"
    )
    doc = pipeline(
        [
            task("a", [step("s", wait.format(f=flag, other="b"))]),
            task("b", [step("s", wait.format(f=flag, other="a"))]),
        ]
    )
    state, _ = runner(doc, jobs=2)
    assert {n: o.status for n, o in state.outcomes.items()} == {"a": "Succeeded", "b": "Succeeded"}


def test_when_skips_only_its_task_and_the_consumers_of_its_results(runner):
    doc = pipeline(
        [
            task(
                "guarded",
                [step("s", "printf v > $(results.R.path)")],
                results=[{"name": "R"}],
                when=[{"input": "$(params.MODE)", "operator": "in", "values": ["full"]}],
            ),
            task("ordered", [step("s", "true")], runAfter=["guarded"]),
            task(
                "reader",
                [step("s", "echo $(params.R)")],
                params=[{"name": "R", "value": "$(tasks.guarded.results.R)"}],
            ),
            task("after-reader", [step("s", "true")], runAfter=["reader"]),
            task(
                "negated",
                [step("s", "true")],
                when=[{"input": "$(params.MODE)", "operator": "notin", "values": ["full"]}],
            ),
        ],
        params=[{"name": "MODE", "default": "quick"}],
    )
    doc["spec"]["tasks"][2]["taskSpec"]["params"] = [{"name": "R"}]
    state, _ = runner(doc)
    got = {n: (o.status, o.reason.split(":")[0].split(" (")[0]) for n, o in state.outcomes.items()}
    assert got == {
        "guarded": ("Skipped", "When Expressions evaluated to false"),
        "ordered": ("Succeeded", ""),
        "reader": ("Skipped", "Results were missing"),
        "after-reader": ("Skipped", "Parent Tasks were skipped"),
        "negated": ("Succeeded", ""),
    }
    doc_status = status_json(state)["status"]
    assert doc_status["conditions"][0]["reason"] == "Completed"
    assert {s["name"] for s in doc_status["skippedTasks"]} == {"guarded", "reader", "after-reader"}


def test_finally_runs_after_a_failed_task_and_sees_the_status(runner, tmp_path):
    out = tmp_path / "finally.txt"
    doc = pipeline(
        [
            task("ok", [step("s", "true")]),
            task(
                "broken",
                [
                    step("first", "true"),
                    step("boom", "echo failing on purpose; exit 3"),
                    step("never", "true"),
                ],
            ),
            task("later", [step("s", "true")], runAfter=["broken"]),
        ],
        **{
            "finally": [
                task(
                    "notify",
                    [step("s", f"echo $(params.ALL) $(params.ONE) $(params.OK) > {out}")],
                    params=[
                        {"name": "ALL", "value": "$(tasks.status)"},
                        {"name": "ONE", "value": "$(tasks.broken.status)"},
                        {"name": "OK", "value": "$(tasks.ok.status)"},
                    ],
                )
            ]
        },
    )
    doc["spec"]["finally"][0]["taskSpec"]["params"] = [{"name": "ALL"}, {"name": "ONE"}, {"name": "OK"}]
    with pytest.raises(CheckFailed, match=r"task broken step boom failed \(exit code 3\)") as err:
        runner(doc)
    assert out.read_text().split() == ["Failed", "Failed", "Succeeded"]
    assert any("boom.log" in p for p in err.value.problems)
    lines = runner.lines
    assert any(m.startswith("later: Skipped (PipelineRun was stopping)") for m in lines)
    run_dir = next((tmp_path / "home" / "pipeline-runs").iterdir())
    status = json.loads((run_dir / "pipelinerun.json").read_text())["status"]
    assert status["conditions"][0] == {
        "type": "Succeeded",
        "status": "False",
        "reason": "Failed",
        "message": "Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 1",
    }
    steps = {s["name"]: s for s in status["taskRuns"]["broken"]["steps"]}
    assert steps["boom"]["exitCode"] == 3 and steps["never"]["status"] == "Skipped"
    assert "failing on purpose" in (run_dir / "broken" / "boom.log").read_text()


def test_finally_reading_a_missing_result_is_skipped(runner):
    doc = pipeline(
        [task("t", [step("s", "exit 1")], results=[{"name": "R"}])],
        **{
            "finally": [
                task(
                    "f",
                    [step("s", "echo $(params.R)")],
                    params=[{"name": "R", "value": "$(tasks.t.results.R)"}],
                )
            ]
        },
    )
    doc["spec"]["finally"][0]["taskSpec"]["params"] = [{"name": "R"}]
    with pytest.raises(CheckFailed):
        runner(doc)
    assert runner.lines and any(m.startswith("f: Skipped (Results were missing") for m in runner.lines)


def test_onerror_continue_and_retries(runner, tmp_path):
    counter = tmp_path / "count"
    doc = pipeline(
        [
            task("tolerant", [step("bad", "exit 4", onError="continue"), step("good", "true")]),
            task("flaky", [step("s", f"echo x >> {counter}; [ $(wc -l < {counter}) -ge 2 ]")], retries=2),
        ]
    )
    state, _ = runner(doc)
    assert state.outcomes["tolerant"].status == "Succeeded"
    assert state.outcomes["flaky"].attempts == 2


def test_task_timeout_kills_the_step(runner):
    doc = pipeline([task("slow", [step("s", "sleep 30")], timeout="1s")])
    with pytest.raises(CheckFailed, match="timed out"):
        runner(doc)


def test_ctrl_c_stops_the_running_steps_at_once(runner, tmp_path):
    """SIGINT while a step runs: the step is killed (it never reaches its end), the run is marked
    cancelled, and KeyboardInterrupt reaches the caller (`readmit pipeline run` exits 130)."""
    started, finished = tmp_path / "started", tmp_path / "finished"
    doc = pipeline([task("slow", [step("s", f"touch {started}; sleep 30; touch {finished}")])])

    def interrupt_once_started():
        while not started.exists():
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_once_started, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        runner(doc)
    assert started.exists() and not finished.exists()
    status = json.loads(next((tmp_path / "home" / "pipeline-runs").glob("*/pipelinerun.json")).read_text())
    assert status["status"]["conditions"][0]["reason"] == "Cancelled"


def test_local_fallback_skip_with_stand_in_results_and_steps(runner):
    doc = pipeline(
        [
            task("build", [step("buildah", "exit 1")], results=[{"name": "DIGEST"}]),
            task(
                "scan",
                [
                    step("image", "exit 1"),
                    step("config", "true"),
                    step("report", "printf passed > $(results.OK.path)"),
                ],
                results=[{"name": "OK"}],
            ),
            task(
                "use",
                [step("s", 'test "$(params.D)" = sha256:abc && test "$(params.OK)" = passed')],
                params=[
                    {"name": "D", "value": "$(tasks.build.results.DIGEST)"},
                    {"name": "OK", "value": "$(tasks.scan.results.OK)"},
                ],
            ),
        ]
    )
    doc["spec"]["tasks"][0]["taskSpec"]["metadata"] = {
        "annotations": {
            "readmit.io/local-fallback": "skip",
            "readmit.io/local-fallback-reason": "needs a container runtime",
            "readmit.io/local-fallback-results": '{"DIGEST": "sha256:abc"}',
        }
    }
    doc["spec"]["tasks"][1]["taskSpec"]["metadata"] = {
        "annotations": {
            "readmit.io/local-fallback": "steps=config,report",
            "readmit.io/local-fallback-reason": "no registry",
        }
    }
    doc["spec"]["tasks"][2]["taskSpec"]["params"] = [{"name": "D"}, {"name": "OK"}]
    state, _ = runner(doc)
    assert state.outcomes["build"].status == "Skipped"
    assert state.outcomes["build"].reason == "local fallback: needs a container runtime"
    assert [s.status for s in state.outcomes["scan"].steps] == ["Skipped", "Succeeded", "Succeeded"]
    assert state.outcomes["use"].status == "Succeeded"


def test_taskref_resolves_the_highest_catalog_version(runner, tmp_path):
    for version, word in (("0.1", "old"), ("0.2", "new")):
        folder = tmp_path / "tekton" / "tasks" / "hello" / version
        folder.mkdir(parents=True)
        (folder / "hello.yaml").write_text(
            json.dumps(
                {
                    "apiVersion": "tekton.dev/v1",
                    "kind": "Task",
                    "metadata": {"name": "hello"},
                    "spec": {
                        "results": [{"name": "W"}],
                        "steps": [step("s", f"printf {word} > $(results.W.path)")],
                    },
                }
            )
        )
    doc = pipeline(
        [{"name": "greet", "taskRef": {"name": "hello"}}],
        results=[{"name": "WORD", "value": "$(tasks.greet.results.W)"}],
    )
    pipeline_dir = tmp_path / "tekton" / "pipelines" / "p" / "0.1"
    pipeline_dir.mkdir(parents=True)
    (pipeline_dir / "p.yaml").write_text(json.dumps(doc))
    from readmit.pipeline.run import Options, run

    state = run(pipeline_dir / "p.yaml", Options(run_name="r"), say=lambda m: None)
    assert status_json(state)["status"]["results"] == [{"name": "WORD", "value": "new"}]


def test_skip_flag_and_dry_run_plan(runner, capsys):
    doc = pipeline(
        [
            task("a", [step("s", "true")]),
            task("b", [step("s", "true")]),
            task(
                "c",
                [step("s", "true")],
                runAfter=["a", "b"],
                when=[{"input": "$(params.GO)", "operator": "in", "values": ["yes"]}],
            ),
        ],
        params=[{"name": "GO", "default": "no"}],
    )
    state, _ = runner(doc, dry_run=True, skip=["b"])
    plan = capsys.readouterr().out
    assert "  1. a, b\n  2. c" in plan
    assert "skipped: --skip" in plan and "skipped: when '$(params.GO)' ('no') in ['yes'] is false" in plan
    assert state.outcomes == {} and not state.directory.exists()


@pytest.mark.parametrize(
    "mutate, field",
    [
        (
            lambda d: d["spec"]["tasks"][0].update(matrix={"params": [{"name": "x", "value": ["a"]}]}),
            "spec.tasks[0].matrix",
        ),
        (lambda d: d["spec"]["tasks"][0].update(when=[{"cel": "'a' == 'a'"}]), "spec.tasks[0].when[0].cel"),
        (
            lambda d: d["spec"]["tasks"][0]["taskSpec"].update(sidecars=[{"name": "s", "image": "x"}]),
            "spec.tasks[0].taskSpec.sidecars",
        ),
        (
            lambda d: d["spec"]["tasks"][0]["taskSpec"]["steps"][0].update(scirpt="typo"),
            "spec.tasks[0].taskSpec.steps[0].scirpt",
        ),
        (
            lambda d: (
                d["spec"]["tasks"][0].update(taskRef={"resolver": "hub", "params": []})
                or d["spec"]["tasks"][0].pop("taskSpec")
            ),
            "spec.tasks[0].taskRef.resolver",
        ),
    ],
)
def test_unsupported_or_misspelt_fields_name_file_and_field(runner, tmp_path, mutate, field):
    doc = pipeline([task("t", [step("s", "true")])])
    mutate(doc)
    with pytest.raises(InputError) as err:
        runner(doc)
    assert str(tmp_path / "pipeline.yaml") in str(err.value) and field in str(err.value)


def test_unknown_variable_in_a_script_names_file_and_field(runner, tmp_path):
    with pytest.raises(InputError, match=r"spec.tasks\[0\].taskSpec.steps\[0\].script: \$\(params.NOPE\)"):
        runner(pipeline([task("t", [step("s", "echo $(params.NOPE)")])]))


def test_bad_input_from_the_command_line(runner):
    doc = pipeline([task("t", [step("s", "true")])], params=[{"name": "REQUIRED"}])
    with pytest.raises(InputError, match="pass --param REQUIRED=VALUE"):
        runner(doc)
    with pytest.raises(InputError, match="declares no such param"):
        runner(doc, params={"REQUIRED": "x", "OTHER": "y"})
    with pytest.raises(InputError, match="--skip nope"):
        runner(doc, params={"REQUIRED": "x"}, skip=["nope"])


def test_cli_exit_codes_name_the_failing_task_and_step(tmp_path, monkeypatch, capsys, crd_schema_dir):
    from readmit.cli import main

    monkeypatch.setenv("READMIT_HOME", str(tmp_path / "home"))
    path = tmp_path / "p.yaml"
    path.write_text(json.dumps(pipeline([task("t", [step("s", "exit 5")])])))
    with pytest.raises(SystemExit) as exit_:
        main(["pipeline", "run", str(path)])
    assert exit_.value.code == 1
    assert "pipeline p failed: task t step s failed (exit code 5)" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["pipeline", "run", str(path), "--param", "X=1"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith("readmit: error: --param X:")
