"""No traceback from any input, no surprise from a name, no foreign code from the cache.

Every refusal here is the command line's contract for bad input: exit status 2 and exactly
one line on stderr, starting ``qgsym: error:``. Resource limits (parser, expansion budget)
must trip before the expensive work starts, so each refusal is measured against a time bound
far below what the unguarded work takes (minutes, or memory exhaustion).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sympy

from qgsym import cache
from qgsym.bands.closed_form import closed_form_of
from qgsym.cli import main
from qgsym.errors import GapClosingError, ModelError
from qgsym.model.loader import load_model
from qgsym.symbolic.kernels import dirac_delta, make_kernel

ROOT = Path(__file__).resolve().parent.parent
#: A refused input answers in well under a second on an idle machine; the unguarded work
#: took minutes (expansion) or ran out of memory (parser). 20 s leaves room for a loaded CI.
REFUSAL_SECONDS = 20.0


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_refusal(code, err, *fragments):
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("qgsym: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


def write_model(folder: Path, name: str, matrix, parameters=None, dimension=2) -> Path:
    """A lattice TOML model; ``matrix`` rows of entry strings (escaped for TOML)."""
    rows = ", ".join("[" + ", ".join(f'"{entry}"' for entry in row) + "]" for row in matrix)
    lines = [f'name = "{name}"', f"dimension = {dimension}", "lattice = true", "[parameters]"]
    lines += [f"{key} = {value}" for key, value in (parameters or {}).items()]
    lines += ["[hamiltonian]", f"matrix = [{rows}]"]
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Each test gets its own kernel cache (pytest's tmp_path is private: mode 0700)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("QGSYM_CACHE_DIR", str(folder))
    return folder


# ---------------------------------------------------------------------------------------
# Functions SymPy produces when differentiating: |d| -> sign -> DiracDelta
# ---------------------------------------------------------------------------------------
def test_dirac_delta_vanishes_off_its_zero_set_and_refuses_a_zero():
    assert np.array_equal(dirac_delta(np.array([-1.0, 1e-300, 2.0])), np.zeros(3))
    assert np.array_equal(dirac_delta(np.array([0.5]), 1), np.zeros(1))
    with pytest.raises(GapClosingError):
        dirac_delta(np.array([1.0, 0.0]))


def test_one_component_clifford_model_derivatives_are_the_orbital_ones(tmp_path):
    # H = d(k) sigma_z, d = m + cos kx + cos ky: levels -|d|, +|d|. Off d = 0 the sorted
    # lower level is -sign(d) d, so d^2(-|d|)/dkx^2 = sign(d) cos kx and the third derivative
    # d^3/dkx^3 = -sign(d) sin kx (SymPy writes these with sign and DiracDelta).
    model = load_model(write_model(tmp_path, "sz", [["m + cos(kx) + cos(ky)", "0"],
                                                   ["0", "-(m + cos(kx) + cos(ky))"]],
                                   {"m": 0.5}))
    k = np.random.default_rng(7).uniform(-np.pi, np.pi, size=(32, 2))
    d = 0.5 + np.cos(k[:, 0]) + np.cos(k[:, 1])
    assert np.min(np.abs(d)) > 1e-3  # random points off the crossing line
    closed = closed_form_of(model)
    mass = closed.evaluate("inverse_mass", k)  # (P, i, j, level)
    assert np.allclose(mass[:, 0, 0, 0], np.sign(d) * np.cos(k[:, 0]), atol=1e-12)
    assert np.allclose(mass[:, 1, 1, 1], -np.sign(d) * np.cos(k[:, 1]), atol=1e-12)
    third = closed.evaluate("inverse_mass_derivative", k)  # (P, i, j, l, level)
    assert np.allclose(third[:, 0, 0, 0, 0], -np.sign(d) * np.sin(k[:, 0]), atol=1e-12)


def test_sigma2_of_decoupled_filled_bands_is_zero_by_inversion(capsys, tmp_path):
    # H(k) = H(-k) (inversion with the identity) forces sigma_ijk = 0 for every formula. At
    # mu = 5 both bands (|d| <= 2.5) are filled, so their crossing line (at energy 0) does not
    # reach the Fermi sea's edge and is not refused; the kernels then evaluate sign and
    # DiracDelta (|d| differentiated), which raised NameError before.
    path = write_model(tmp_path, "sz", [["m + cos(kx) + cos(ky)", "0"],
                                        ["0", "-(m + cos(kx) + cos(ky))"]], {"m": 0.5})
    code, out, err = run(capsys, "compute", "sigma2", "--model", path, "--grid", "16",
                         "--mu", "5", "--json")
    assert code == 0, err
    values = json.loads(out)["values"]
    assert values and all(abs(v) < 1e-12 for formula in values.values()
                          for v in formula.values())


@pytest.mark.parametrize("mu", ["0", "5"])
def test_bands_crossing_on_grid_points_are_refused_for_sigma2(capsys, tmp_path, mu):
    # diag(cos kx, cos ky): the bands cross on kx = +-ky, which every square grid contains.
    # At mu = 0 the gap-closing check refuses; at mu = 5 (both bands filled) the closed-form
    # path meets |d| = 0 at the crossing points, where 𝒢 and its derivatives divide by the
    # gap, and refuses (the symbolic kernels would meet DiracDelta(0) there).
    path = write_model(tmp_path, "dg", [["cos(kx)", "0"], ["0", "cos(ky)"]])
    code, _, err = run(capsys, "compute", "sigma2", "--model", path, "--grid", "16",
                       "--mu", mu)
    assert_one_line_refusal(code, err, "closes on the grid" if mu == "5" else "closes")
    assert "NameError" not in err


def test_a_kernel_naming_an_unknown_function_is_refused():
    x = sympy.Symbol("x", real=True)
    with pytest.raises(ModelError, match="mystery"):
        make_kernel([sympy.Function("mystery")(x)], (x,), (1,))


# ---------------------------------------------------------------------------------------
# Parser and symbolic budget
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("entry", "message"), [
    ("+".join(["kx"] * 6000), "operator symbols"),
    ("*".join(["kx"] * 6000), "operator symbols"),
    ("-" * 19000 + "kx", "operator symbols"),
    ("kx" + "**2" * 30, "exponent"),
    ("kx" + "**1" * 300, "nested"),
    ("sin(" * 150 + "kx" + ")" * 150, "nested"),
    ("((((2**64)**64)**64)**64)", "digits"),
    ("1e999", "not a finite real number"),
    ("(a+b+c+d+f+g)**64", "terms"),
    ("sin((kx+ky+a+b+cos(kx))**30)", "terms"),
    ("((kx+ky+1)**64)**64", "terms"),
])
def test_resource_limits_are_one_line_and_fast(capsys, tmp_path, entry, message):
    path = write_model(tmp_path, "big", [[entry, "0"], ["0", "1"]],
                       {p: 1 for p in "abcdfg"})
    start = time.perf_counter()
    code, _, err = run(capsys, "compute", "bands", "--model", path)
    assert time.perf_counter() - start < REFUSAL_SECONDS
    assert_one_line_refusal(code, err, "hamiltonian.matrix[0][0]", message)


def test_off_diagonal_power_that_sympy_would_expand_forever_is_refused(capsys, tmp_path):
    # 146-byte model: the Hermiticity check expanded (5 terms)**64 (about 1e7 terms) for ever.
    path = write_model(tmp_path, "hang", [["1", "(a+b+c+d+I*f)**64"], ["0", "-1"]],
                       {p: 1 for p in "abcdf"})
    start = time.perf_counter()
    code, _, err = run(capsys, "compute", "bands", "--model", path)
    assert time.perf_counter() - start < REFUSAL_SECONDS
    assert_one_line_refusal(code, err, "hamiltonian.matrix[0][1]", "terms")


def test_a_parameter_exponent_is_under_the_same_budget(capsys, tmp_path):
    path = write_model(tmp_path, "pexp", [["(cos(kx) + cos(ky) + 1)**m", "0"], ["0", "1"]],
                       {"m": 2})
    code, _, err = run(capsys, "compute", "bands", "--model", path, "--set", "m=1e6")
    assert_one_line_refusal(code, err, "hamiltonian.matrix[0][0]", "terms")


def test_large_clifford_models_are_evaluated_numerically(tmp_path):
    # (5 terms)**5 expands to 126 terms, about 1100 expression-tree nodes in d_z: its third
    # derivatives took minutes, so no closed form is built; the numeric path (eigh) remains.
    entry = "(cos(kx) + cos(ky) + sin(kx) + sin(ky) + m)**5/1000"
    path = write_model(tmp_path, "wide", [[entry, "sin(kx) - I*sin(ky)"],
                                          ["sin(kx) + I*sin(ky)", f"-({entry})"]], {"m": 0.2})
    start = time.perf_counter()
    model = load_model(path)
    assert closed_form_of(model) is None
    assert time.perf_counter() - start < REFUSAL_SECONDS
    assert closed_form_of(load_model("qwz")) is not None  # small Clifford models keep path (a)
    k = np.array([[0.3, -1.1]])
    d_z = (np.cos(0.3) + np.cos(-1.1) + np.sin(0.3) + np.sin(-1.1) + 0.2) ** 5 / 1000
    norm = np.sqrt(d_z**2 + np.sin(0.3) ** 2 + np.sin(-1.1) ** 2)
    assert np.allclose(np.linalg.eigvalsh(model.hamiltonian.matrix(k))[0], [-norm, norm])


def test_long_but_reasonable_entries_still_parse_to_the_right_expression(tmp_path):
    # 999 summands, and a binary minus followed by 996 unary ones (1000 operator symbols):
    # within the limits, built without deep recursion.
    path = write_model(tmp_path, "long", [["+".join(["cos(kx)"] * 999), "0"],
                                          ["0", "*".join(["cos(ky)"] * 3) + "-" * 997 + "1"]])
    model = load_model(path)
    kx, ky = model.momenta
    assert sympy.simplify(model.matrix[0, 0] - 999 * sympy.cos(kx)) == 0
    assert sympy.simplify(model.matrix[1, 1] - (sympy.cos(ky) ** 3 - 1)) == 0


# ---------------------------------------------------------------------------------------
# File and stream errors of the command line
# ---------------------------------------------------------------------------------------
def test_report_into_an_existing_file_is_one_line(capsys, tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me", encoding="utf-8")
    code, _, err = run(capsys, "report", "--out", target)
    assert_one_line_refusal(code, err, str(target), "not a folder")
    assert target.read_text(encoding="utf-8") == "keep me"


def test_report_into_an_unwritable_place_is_one_line(capsys, tmp_path, monkeypatch):
    # root can write anywhere, so the kernel's refusal is simulated at the mkdir call
    target = tmp_path / "readonly" / "report"
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    code, _, err = run(capsys, "report", "--out", target)
    assert_one_line_refusal(code, err, "Permission denied", str(target))


def _cli(tmp_path, *argv, **popen):
    """The command line in a child process importing this checkout."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-c", "import sys; from qgsym.cli import main; sys.exit(main())",
               *argv]
    return subprocess.Popen(command, cwd=tmp_path, env=environment, stderr=subprocess.PIPE,
                            text=True, **popen)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux /dev/full")
def test_stdout_on_a_full_disk_is_one_line(tmp_path):
    with open("/dev/full", "w") as full:
        process = _cli(tmp_path, "formulas", "list", stdout=full)
        _, err = process.communicate(timeout=120)
    assert_one_line_refusal(process.returncode, err, "No space left on device")


def test_stdout_closed_by_the_reader_is_quiet(tmp_path):
    # `qgsym formulas list | head -0`: the reader leaves first; no traceback, no noise
    process = _cli(tmp_path, "formulas", "list", stdout=subprocess.PIPE)
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0 and err == ""


# ---------------------------------------------------------------------------------------
# Catalogue names versus paths
# ---------------------------------------------------------------------------------------
def test_a_folder_named_like_a_catalogue_model_does_not_shadow_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "qwz").mkdir()
    model = load_model("qwz")
    assert model.path == "catalogue:qwz" and model.name == "qwz"


def test_a_file_named_like_a_catalogue_model_is_ambiguous(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_model(tmp_path, "mine", [["cos(kx)", "0"], ["0", "cos(ky)"]]).rename("haldane")
    code, _, err = run(capsys, "models", "show", "haldane")
    assert_one_line_refusal(code, err, "'haldane' is both a catalogue model and a file",
                            "./haldane")
    assert load_model("./haldane").name == "mine"  # with a separator it is the file


def test_paths_need_a_model_suffix_or_a_separator(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_model(tmp_path, "own", [["cos(kx)", "0"], ["0", "cos(ky)"]])
    assert load_model("own.toml").name == "own"  # existing file with a model suffix
    Path("own.toml").rename("own")
    code, _, err = run(capsys, "models", "show", "own")
    assert_one_line_refusal(code, err, "unknown model 'own'", "./own")
    code, _, err = run(capsys, "models", "show", "absent.toml")
    assert_one_line_refusal(code, err, "'absent.toml' does not exist")


# ---------------------------------------------------------------------------------------
# The kernel cache holds code: private or refused
# ---------------------------------------------------------------------------------------
def _kernel(tmp_path):
    x = sympy.Symbol("x", real=True)
    return make_kernel([sympy.sin(x)], (x,), (1,))


def test_cache_is_created_private(private_cache, tmp_path):
    kernel = _kernel(tmp_path)
    assert np.allclose(kernel(np.array([0.5]))[:, 0], np.sin(0.5))
    entries = list((private_cache / "kernels").iterdir())
    assert entries
    for folder in (private_cache, private_cache / "kernels"):
        assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0
    for entry in entries:
        assert stat.S_IMODE(entry.stat().st_mode) & 0o077 == 0


@pytest.mark.parametrize("which", ["root", "namespace", "entry"])
def test_cache_writable_by_others_is_refused(capsys, private_cache, tmp_path, which):
    code, _, err = run(capsys, "compute", "bands", "--model", "qwz")
    assert code == 0, err
    entries = list((private_cache / "kernels").iterdir())
    paths = {"root": [private_cache], "namespace": [private_cache / "kernels"],
             "entry": entries}[which]
    for path in paths:
        path.chmod(stat.S_IMODE(path.stat().st_mode) | stat.S_IWOTH)
    code, _, err = run(capsys, "compute", "bands", "--model", "qwz")
    assert_one_line_refusal(code, err, str(private_cache), "writable by group or others",
                            "chmod go-w")


def test_cache_entry_of_another_user_is_refused(private_cache, tmp_path, monkeypatch):
    _kernel(tmp_path)
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 1)  # as if another user ran qgsym
    with pytest.raises(cache.CacheError, match="owned by user id"):
        _kernel(tmp_path)
