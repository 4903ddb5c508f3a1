"""Command line: the JSON contract, and one-line errors with non-zero exit for bad input."""

import json

import numpy as np
import pytest

from qgsym.cli import main
from qgsym.model.loader import load_model
from qgsym.model.wannier90 import write_hr_dat


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_chern_json_contract(capsys):
    code, out, err = run(capsys, "compute", "chern", "--model", "qwz", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    for key in ("quantity", "model", "parameters", "mu", "T", "units", "grid", "values",
                "error_estimate"):
        assert key in data
    assert data["quantity"] == "chern" and data["model"] == "qwz"
    assert set(data["values"]) == {"0", "1"}
    # QWZ at 0 < m < 2 is a Chern insulator: |C| = 1, bands opposite
    assert abs(abs(data["values"]["0"]) - 1) < 1e-9
    assert abs(data["values"]["0"] + data["values"]["1"]) < 1e-9


def test_sigma2_json_has_all_components_and_tau_power(capsys):
    code, out, _ = run(capsys, "compute", "sigma2", "--model", "tilted_dirac", "--mu", "0.2",
                       "--formula", "wpd,bcd", "--grid", "40", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data["values"]) == {"wpd", "bcd"}
    assert set(data["values"]["wpd"]) == {a + b + c for a in "xy" for b in "xy" for c in "xy"}
    assert data["tau_power"] == {"wpd": 0, "bcd": 1}


def test_sigma11_json_is_symmetric_in_field_and_gradient_indices(capsys):
    code, out, _ = run(capsys, "compute", "sigma11", "--model", "haldane", "--mu", "0.9",
                       "--T", "0.15", "--grid", "24", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data["values"]) == {"kubo", "band_density"} and data["tau_power"] == 0
    kubo = data["values"]["kubo"]
    assert set(kubo) == {a + b + c for a in "xy" for b in "xy" for c in "xy"}
    assert kubo["xxy"] == kubo["xyx"] and kubo["yxy"] == kubo["yyx"]
    # broken T (t2 != 0) and P (M != 0): a nonzero response, C3-related components
    assert abs(kubo["yxx"]) > 1e-4


def test_models_and_formulas_listing(capsys):
    code, out, _ = run(capsys, "models", "list")
    assert code == 0 and "qwz" in out and "qiang_toy" in out
    code, out, _ = run(capsys, "formulas", "show", "wpd", "--json")
    data = json.loads(out)
    assert code == 0 and "PhysRevLett.112.166601" in data["provenance"]["doi"]


def test_hr_dat_model_gives_the_same_chern_numbers(capsys, tmp_path):
    qwz = load_model("qwz")
    path = tmp_path / "qwz_hr.dat"
    write_hr_dat(path, lambda k: qwz.hamiltonian.matrix(k[:, :2] @ qwz.reciprocal), 2, (3, 3, 1))
    # hr.dat has no lattice: QWZ's cell is the unit square, so opt into the unit cube
    _, out_file, _ = run(capsys, "compute", "chern", "--model", str(path), "--lattice", "unit",
                         "--grid", "40", "--json")
    _, out_catalogue, _ = run(capsys, "compute", "chern", "--model", "qwz", "--grid", "40", "--json")
    assert json.loads(out_file)["values"] == json.loads(out_catalogue)["values"]


NON_HERMITIAN = """name = "bad"
dimension = 2
lattice = true
[parameters]
m = 1.0
[hamiltonian]
matrix = [["m", "sin(kx)"], ["cos(kx)", "-m"]]
"""


@pytest.mark.parametrize(
    "argv, message",
    [
        (["compute", "chern", "--model", "no_such_model"], "unknown model"),
        (["compute", "chern", "--model", "qwz", "--set", "m=nan"], "not finite"),
        (["compute", "chern", "--model", "qwz", "--set", "m=inf"], "not finite"),
        (["compute", "chern", "--model", "qwz", "--set", "zz=1"], "no parameter 'zz'"),
        (["compute", "chern", "--model", "qwz", "--set", "m"], "NAME=VALUE"),
        (["compute", "sigma1", "--model", "qwz", "--T", "0"], "positive"),
        (["compute", "sigma1", "--model", "qwz", "--T", "-1"], "positive"),
        (["compute", "sigma1", "--model", "qwz", "--mu", "nan"], "not finite"),
        (["compute", "sigma1", "--model", "qwz", "--grid", "x"], "not an integer"),
        (["compute", "nonsense", "--model", "qwz"], "unknown quantity"),
        (["compute", "sigma2", "--model", "qwz", "--formula", "nope"], "unknown sigma2 formula"),
        (["compute", "chern", "--model", "/nonexistent.toml"], "does not exist"),
        # QWZ at m = 2 closes the gap at (pi, pi), a grid point for odd N
        (["compute", "quantum-metric", "--model", "qwz", "--set", "m=2", "--grid", "11"],
         "closes on the grid"),
        (["compute", "sigma2", "--model", "qwz", "--set", "m=2", "--grid", "11"],
         "closes on the grid"),
        (["compute", "sigma11", "--model", "qwz", "--set", "m=2", "--grid", "11"],
         "closes on the grid"),
        (["compute", "sigma11", "--model", "massive_dirac"], "lattice models"),
        (["check", "C99"], "unknown claim id"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code != 0
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out == ""


def test_bad_model_files(capsys, tmp_path):
    non_hermitian = tmp_path / "bad.toml"
    non_hermitian.write_text(NON_HERMITIAN)
    not_toml = tmp_path / "junk.toml"
    not_toml.write_text("this is [ not toml")
    unknown_symbol = tmp_path / "unknown.toml"
    unknown_symbol.write_text(NON_HERMITIAN.replace('"cos(kx)"', '"sin(kx) + q"'))
    for path, message in ((non_hermitian, "not Hermitian"), (not_toml, "not valid TOML"),
                          (unknown_symbol, "unknown name 'q'")):
        code, _, err = run(capsys, "compute", "bands", "--model", str(path))
        assert code == 2 and message in err and err.count("\n") == 1


def test_no_silent_nan_values(capsys):
    code, out, _ = run(capsys, "compute", "sigma1", "--model", "qwz", "--grid", "20", "--json")
    values = json.loads(out)["values"]
    numbers = [v for table in values.values() for v in table.values()]
    assert code == 0 and np.all(np.isfinite(numbers))


def test_a_check_that_raises_is_an_error_never_a_verdict(capsys, monkeypatch):
    # A wiring slip (here: a missing engine) must not become an "inconclusive" verdict about
    # the source: the claim is reported as failed and `qgsym check` exits 1.
    import qgsym.claims as claims
    from qgsym.claims.base import Claim

    def broken():
        raise ImportError("cannot import name 'engine' from 'qgsym.nowhere'")

    monkeypatch.setattr(claims, "all_claims", lambda: {"C7": Claim("C7", "any", broken)})
    code, out, err = run(capsys, "check", "C7", "--json")
    result = json.loads(out)["claims"][0]
    assert code == 1 and result["verdict"] == "failed"
    assert "engine" in err and len(err.strip().splitlines()) == 1
