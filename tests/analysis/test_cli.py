"""`peerlog analyse` and `peerlog power` through the real command parser."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys

import pandas as pd

from peerlog.analysis import commands
from peerlog.analysis.models import ASSOCIATION_COLUMNS

from .conftest import DATA, read_reference


def main(argv: list[str]) -> int:
    """The `peerlog` command with only the analysis sub-commands registered (no other app's
    modules, so no Django), dispatched as peerlog.cli.main does."""
    parser = argparse.ArgumentParser(prog="peerlog")
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


def test_analysis_never_imports_django():
    code = ("import sys, peerlog.analysis.pipeline, peerlog.analysis.commands, "
            "peerlog.analysis.figures, peerlog.analysis.report; "
            "sys.exit(1 if any(m.split('.')[0] == 'django' for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_analyse_writes_contract_table(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["analyse", str(DATA / "small"), "-o", str(out), "--no-pdf", "--no-figures",
                 "--quiet", "--no-adjust-projects", "--subgroup", "funder"])
    assert code == 0
    got = pd.read_csv(out / "associations.csv", keep_default_na=False, na_values=[""])
    assert list(got.columns[:12]) == ASSOCIATION_COLUMNS
    ref = read_reference("small", "associations")
    assert len(got) == len(ref)
    assert set(got["subgroup"].fillna("")) >= {"", "funder", "gender"}
    flow = pd.read_csv(out / "data_flow.csv").set_index("item")["count"]
    assert flow["logs_read"] == 196
    assert "models fitted" in capsys.readouterr().out


def test_where_restricts_to_a_region(tmp_path):
    out = tmp_path / "leeds"
    code = main(["analyse", str(DATA / "cohort"), "-o", str(out), "--no-pdf", "--no-figures",
                 "--quiet", "--no-subgroups", "--where", "region=Leeds"])
    assert code == 0
    flow = pd.read_csv(out / "data_flow.csv").set_index("item")["count"]
    assert flow["participants_registered"] == 150 // 4 + (150 % 4 > 0)
    assert flow["logs_unregistered"] == 0
    periods = pd.read_csv(out / "periods.csv")
    assert periods["personal_id"].str.startswith("P").all()


def test_bad_input_exits_2_with_location(tmp_path, capsys):
    for f in ("participants.csv", "logs.csv"):
        shutil.copy(DATA / "small" / f, tmp_path / f)
    logs = pd.read_csv(tmp_path / "logs.csv", dtype=str, keep_default_na=False)
    logs.loc[9, "kind"] = "annual"
    logs.to_csv(tmp_path / "logs.csv", index=False)
    code = main(["analyse", str(tmp_path), "-o", str(tmp_path / "out"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "logs.csv, row 10 (line 11), column 'kind'" in err


def test_power_command(capsys):
    assert main(["power"]) == 0
    assert "Participants needed: 34" in capsys.readouterr().out
    assert main(["power", "--effect", "0.8", "--power", "0.9", "--alpha", "0.01"]) == 0
    assert "Participants needed: 27" in capsys.readouterr().out


def test_chapter8_blank_grid_and_reproducibility_through_the_command(tmp_path):
    import hashlib

    src = tmp_path / "in"
    src.mkdir()
    logs = pd.read_csv(DATA / "cohort" / "logs.csv", dtype=str, keep_default_na=False)
    ps = [c for c in logs.columns if c.startswith("ps_")]
    logs.loc[logs.index[5:60:5], ps] = ""
    logs.to_csv(src / "logs.csv", index=False)
    parts = pd.read_csv(DATA / "cohort" / "participants.csv", dtype=str,
                        keep_default_na=False)
    parts["project_funding"] = ["strategic_partner", "grant_funded"] * (len(parts) // 2) + [
        "grant_funded"] * (len(parts) % 2)
    parts.to_csv(src / "participants.csv", index=False)
    out = tmp_path / "out"
    code = main(["analyse", str(src), "-o", str(out), "--no-pdf", "--no-figures", "--quiet",
                 "--no-subgroups", "--chapter8", "--blank-grid", "missing", "--jobs", "1"])
    assert code == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    digest = hashlib.sha256((src / "logs.csv").read_bytes()).hexdigest()
    assert digest in page and "--blank-grid" in page
    assert "Strategic partners vs grant-funded projects" in page
    assert "Not available: the data have no &#x27;diagnosis_specific&#x27; column" in page
    sens = pd.read_csv(out / "sensitivity_blank_grid.csv")
    assert set(sens["blank_grid"]) == {"zero"}  # the main run treated them as missing
    ch8 = pd.read_csv(out / "chapter8_associations.csv")
    assert set(ch8["subsample"]) == {"project_funding=strategic_partner",
                                     "project_funding=grant_funded", "region=Leeds"}
    assoc = pd.read_csv(out / "associations.csv")
    assert "q_value" in assoc.columns and assoc["q_value"].between(0, 1).all()
