"""Every script in bench/ runs, at tiny sizes, so none can rot unnoticed (issue 14).

Nothing is timed: each run must exit 0 and print its figures. The participant-load bench
needs PostgreSQL, so it runs in the PostgreSQL pass (both ways: gunicorn alone, and through
deploy/'s nginx); the others run in the SQLite pass.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from tests.ops.conftest import ON_POSTGRES, ROOT

# script -> [(arguments, text the output must contain)]; every bench script must be here.
RUNS = {
    "analysis_bench.py": [(["large", "--people", "300"], '"models_fitted": 77')],
    "economics_bench.py": [(["seed"], "economics")],
    "staff_bench.py": [(["30", "2"], "GET /staff/quality/")],
    "synth_bench.py": [
        (["generate", "--scales", "0.05", "--repeat", "1"], "scale 0.05:"),
        (["db", "--scale", "0.05"], "second load:"),
        (["coverage", "1", "--scale", "1"], "overall coverage of 95% CIs"),
    ],
    "participant_cpu.py": [(["--logs", "2"], "[best] this tree")],
    "participant_load.py": [
        (["--logs", "2", "--clients", "2", "--workers", "1"], "EXACTLY ONCE: yes"),
        (["--logs", "2", "--clients", "2", "--workers", "1", "--threads", "2",
          "--through-nginx", "--floor", "4"], "[floor] GET /healthz x4 in"),  # exit 0: exactly once
        (["--logs", "2", "--clients", "2", "--workers", "1", "--no-keep-alive"],
         "a connection per request"),
    ],
}
NEEDS_POSTGRES = {"participant_load.py"}


def test_every_bench_script_has_a_smoke_run():
    assert sorted(p.name for p in (ROOT / "bench").glob("*.py")) == sorted(RUNS)


def _run(script: str, args: list[str], expect: str, tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERLOG_", "DJANGO_"))}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
               TMPDIR=str(tmp_path))
    if script == "participant_load.py":
        env["PEERLOG_DB"] = "postgres"
        args = [*args, "--db", f"peerlog_bench_smoke_{os.getpid()}"]
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert expect in proc.stdout, proc.stdout[-3000:]


CASES = [pytest.param(script, args, expect, id=f"{script}:{' '.join(args)}")
         for script, runs in RUNS.items() if script not in NEEDS_POSTGRES
         for args, expect in runs]
PG_CASES = [pytest.param(script, args, expect, id=f"{script}:{' '.join(args)}")
            for script in NEEDS_POSTGRES for args, expect in RUNS[script]]


@pytest.mark.parametrize(("script", "args", "expect"), CASES)
def test_bench_runs_at_tiny_size(script, args, expect, tmp_path):
    _run(script, args, expect, tmp_path)


@pytest.mark.django_db  # keeps it in the PostgreSQL pass; it makes its own scratch database
@pytest.mark.parametrize(("script", "args", "expect"), PG_CASES)
def test_postgres_bench_runs_at_tiny_size(script, args, expect, tmp_path):
    if not ON_POSTGRES:
        pytest.skip("runs in the PostgreSQL pass (PEERLOG_DB=postgres)")
    if "--through-nginx" in args:
        from tests.ops.test_deploy import _ensure_nginx, _load_localstack

        _ensure_nginx(_load_localstack())
    _run(script, args, expect, tmp_path)
