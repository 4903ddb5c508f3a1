"""Model files: loading, validation errors, overrides, periodicity detection."""

import numpy as np
import pytest

from qgsym.errors import ModelError
from qgsym.model.loader import catalogue_names, load_model

REQUIRED = {"massive_dirac", "tilted_dirac", "qwz", "haldane", "flat_chern", "qiang_toy",
            "cumnas_like", "rice_mele"}


def write(tmp_path, text, name="model.toml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


GOOD = """
name = "two_level"
dimension = 2
lattice = true
[parameters]
m = 1.0
[hamiltonian]
matrix = [["m + cos(kx) + cos(ky)", "sin(kx) - I*sin(ky)"],
          ["sin(kx) + I*sin(ky)", "-m - cos(kx) - cos(ky)"]]
"""


def test_catalogue_has_the_required_models_and_each_loads():
    assert REQUIRED <= set(catalogue_names())
    for name in catalogue_names():
        model = load_model(name)
        assert model.n_bands >= 2
        assert model.source, f"{name} must cite its source"


def test_user_file_loads_and_overrides_apply(tmp_path):
    model = load_model(write(tmp_path, GOOD), {"m": -1.0})
    assert model.parameters["m"] == -1.0
    h = model.hamiltonian.matrix(np.zeros((1, 2)))[0]
    assert np.allclose(h, np.diag([1.0, -1.0]))  # d_z = m + 2 = 1 at k = 0
    assert model.periodic is True


def test_model_is_immutable():
    model = load_model("qwz")
    with pytest.raises(AttributeError):
        model.name = "x"
    with pytest.raises(TypeError):
        model.parameters["m"] = 3.0


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.replace('"sin(kx) - I*sin(ky)"', '"sin(kx) + I*sin(ky)"'), "not Hermitian"),
        (GOOD.replace('"-m - cos(kx) - cos(ky)"]]', '"-m", "0"]]'), "ragged"),
        (GOOD.replace("m = 1.0", "q = 1.0"), "unknown name 'm'"),
        (GOOD.replace("dimension = 2", "dimension = 4"), "dimension"),
        (GOOD.replace("m = 1.0", 'm = "x"'), "must be a number"),
        (GOOD.replace("m = 1.0", "m = nan"), "not finite"),
        (GOOD.replace("m = 1.0", "m = inf"), "not finite"),
        ("foo = 1\n" + GOOD, "unknown key"),
        (GOOD + "\nfoo = 1\n", "unknown key(s) in [hamiltonian]"),
        ("name = 'x'\n[[", "not valid TOML"),
        (GOOD.replace("lattice = true", "lattice = false"), "cutoff"),
    ],
)
def test_bad_model_files_give_one_line_errors(tmp_path, text, message):
    with pytest.raises(ModelError) as error:
        load_model(write(tmp_path, text))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_missing_file_and_unknown_name():
    with pytest.raises(ModelError, match="does not exist"):
        load_model("/nonexistent/model.toml")
    with pytest.raises(ModelError, match="unknown model"):
        load_model("no_such_model")


def test_override_errors():
    with pytest.raises(ModelError, match="no parameter 'zz'"):
        load_model("qwz", {"zz": 1.0})
    with pytest.raises(ModelError, match="not finite"):
        load_model("qwz", {"m": float("nan")})


def test_sublattice_basis_is_detected_as_not_periodic(tmp_path):
    text = GOOD.replace('"sin(kx) - I*sin(ky)"', '"cos(kx/2)"').replace(
        '"sin(kx) + I*sin(ky)"', '"cos(kx/2)"')
    model = load_model(write(tmp_path, text))
    assert model.periodic is False
