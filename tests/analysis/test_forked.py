"""Model fits and the blank-grid re-run in forked processes give the same numbers as in one
process, in the same order; a child that fails is reported, never lost."""

from __future__ import annotations

import os
import threading

import pandas as pd
import pytest

from peerlog.analysis import pipeline
from peerlog.analysis.contract import read_contract
from peerlog.analysis.pipeline import Forked, Options, analyse

from .conftest import DATA, in_fresh_python


@pytest.fixture(scope="module")
def data():
    d = read_contract(DATA / "small")
    logs = d.logs.copy()
    # Two blank grids, so the sensitivity re-run happens (side by side when forking).
    cols = [c for c in logs.columns if c.startswith("ps_") and c.endswith(("_given",
                                                                          "_received"))]
    logs.loc[logs.index[:2], cols] = 0.0
    logs["ps_grid_blank"] = False
    logs.loc[logs.index[:2], "ps_grid_blank"] = True
    return logs, d.participants


@pytest.mark.parametrize("workers", [2, 3])
def test_forked_fits_equal_one_process(data, workers, tmp_path):
    logs, parts = data
    one = analyse(logs, parts, Options(figures=False, pdf=False, workers=1))
    many, forks, seen = in_fresh_python(
        "forked_analysis", logs, parts, Options(figures=False, pdf=False, workers=workers),
        tmp_path=tmp_path)
    # the fits in workers - 1 children and the blank-grid re-run in one more
    assert sorted(forks) == sorted(["analyse"] + ["_fit_list"] * (workers - 1))
    pd.testing.assert_frame_equal(one.associations, many.associations)
    pd.testing.assert_frame_equal(one.models, many.models)
    assert one.sensitivity is not None and many.sensitivity is not None
    pd.testing.assert_frame_equal(one.sensitivity.associations, many.sensitivity.associations)
    assert seen[-1][0] == seen[-1][1] == len(one.models)  # progress reaches the end
    assert [i for i, _n in seen] == sorted(i for i, _n in seen)


def test_no_fork_while_another_thread_runs(data, monkeypatch):
    logs, parts = data
    forks = []
    monkeypatch.setattr(pipeline, "Forked", lambda *a: forks.append(a))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        res = analyse(logs, parts, Options(figures=False, pdf=False, workers=2,
                                           include_subgroups=False))
    finally:
        stop.set()
        other.join()
    assert forks == [] and len(res.models) > 0


def _boom() -> None:
    raise ValueError("no such column")


def test_a_failing_child_raises_in_the_parent():
    child = Forked(_boom)
    with pytest.raises(ValueError, match="no such column"):
        child.result()
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)  # reaped: no zombie left


def test_a_child_returns_its_value():
    assert Forked(sum, [1, 2, 3]).result() == 6


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle")


def _boom_unpicklable() -> None:
    raise _Unpicklable("odd")


def test_an_exception_that_cannot_be_pickled_still_arrives():
    with pytest.raises(RuntimeError, match="_Unpicklable: odd"):
        Forked(_boom_unpicklable).result()


def test_csv_files_written_by_a_child_are_the_same(data, tmp_path):
    logs, parts = data
    res = analyse(logs, parts, Options(figures=False, pdf=False, workers=1,
                                       include_subgroups=False))
    one = pipeline.write_outputs(res, tmp_path / "one")
    two, _joined, forks = in_fresh_python("forked_outputs", res, tmp_path / "two",
                                          tmp_path=tmp_path)
    assert forks == ["_write_csvs"]
    assert [p.name for p in one] == [p.name for p in two]
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def _sleep_long() -> None:
    import time

    time.sleep(60)


def test_a_cancelled_child_is_stopped_and_reaped():
    child = Forked(_sleep_long)
    child.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)  # gone, and not a zombie
    child.cancel()  # a second call does nothing


def test_a_failure_in_this_process_cancels_the_children(data, monkeypatch):
    """If fitting fails here, the forked children are stopped, not left running."""
    logs, parts = data
    started = []
    real = pipeline.Forked

    def recorded(*args):
        started.append(real(*args))
        return started[-1]

    def broken(*_args):
        raise ArithmeticError("this process's own fit failed")

    monkeypatch.setattr(pipeline, "Forked", recorded)
    monkeypatch.setattr(pipeline, "_may_fork", lambda: True)
    monkeypatch.setattr(pipeline, "fit_model", broken)
    with pytest.raises(ArithmeticError):
        analyse(logs, parts, Options(figures=False, pdf=False, workers=2))
    assert started  # the fits' child (and the blank-grid re-run's) had been started
    for child in started:
        with pytest.raises(ChildProcessError):
            os.waitpid(child.pid, os.WNOHANG)
