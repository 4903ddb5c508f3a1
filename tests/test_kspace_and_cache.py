"""Fermi functions, grids and weights, error estimates, and the on-disk kernel cache."""

import warnings

import numpy as np
import pytest
import sympy

from qgsym import cache
from qgsym.bands.kspace import fermi_derivative, fermi_dirac, integrate_with_error, make_grid
from qgsym.errors import QgsymError
from qgsym.model.loader import load_model
from qgsym.symbolic.kernels import make_kernel


def test_fermi_functions_are_stable_at_any_temperature():
    energies = np.array([-1e6, -1.0, 0.0, 1.0, 1e6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for temperature in (1e-12, 1e-3, 1.0, 1e6):
            occupation = fermi_dirac(energies, 0.0, temperature)
            derivative = fermi_derivative(energies, 0.0, temperature)
            assert np.all(np.isfinite(occupation)) and np.all(np.isfinite(derivative))
            assert np.all((0 <= occupation) & (occupation <= 1))
            assert np.all(derivative <= 0)
    # df/dE = -f(1-f)/T, an identity independent of the implementation
    e = np.linspace(-0.3, 0.3, 7)
    f = fermi_dirac(e, 0.05, 0.1)
    assert np.allclose(fermi_derivative(e, 0.05, 0.1), -f * (1 - f) / 0.1, rtol=1e-12)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(QgsymError):
            fermi_dirac(e, 0.0, bad)


def test_grid_weights_integrate_the_measure():
    """Σ w = V_BZ/(2π)^d: 1 for a square lattice of unit spacing; (2c)^d/(2π)^d continuum."""
    lattice = make_grid(load_model("qwz"), 10)
    assert np.isclose(lattice.weights.sum(), 1.0)
    continuum = load_model("tilted_dirac")
    grid = make_grid(continuum, 10)
    assert np.isclose(grid.weights.sum(), (2 * continuum.cutoff) ** 2 / (2 * np.pi) ** 2)
    assert np.all(np.abs(grid.points) < continuum.cutoff)
    honeycomb = load_model("haldane")
    grid = make_grid(honeycomb, 6)
    assert np.isclose(grid.weights.sum(), abs(np.linalg.det(honeycomb.reciprocal)) / (2 * np.pi) ** 2)


def test_error_estimate_bounds_the_true_error():
    """∫[dk] Ω of a filled QWZ band is exactly C/2π; the estimate must not undershoot badly."""
    model = load_model("qwz")
    for n in (8, 16):
        value, error, _ = integrate_with_error(
            model, n, lambda g: g.berry_curvature[0, 1, :, 0][None])
        exact = -1 / (2 * np.pi)  # C_lower = -1 at m = 1 (FHS, tests/test_chern.py)
        assert abs(value[0] - exact) <= max(error, 1e-13) * 1.0 + 1e-13


def test_cache_round_trip_and_corrupt_entries_are_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("QGSYM_CACHE_DIR", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return "body text"

    key = cache.cache_key("test", "entry")
    assert cache.cached_text("unit", key, build) == "body text"
    assert cache.cached_text("unit", key, build) == "body text"
    assert len(calls) == 1  # second read came from disk
    path = tmp_path / "unit" / f"{key}.txt"
    path.write_text(path.read_text().replace("body", "evil"))  # tampered: checksum fails
    assert cache.cached_text("unit", key, build) == "body text"
    assert len(calls) == 2
    path.write_text("garbage without header")
    assert cache.cached_text("unit", key, build) == "body text"
    assert len(calls) == 3


def test_kernels_are_vectorised_and_broadcast_constants(tmp_path, monkeypatch):
    monkeypatch.setenv("QGSYM_CACHE_DIR", str(tmp_path))
    x, y = sympy.symbols("x y", real=True)
    kernel = make_kernel([x + y, sympy.Integer(2), sympy.sin(x) * sympy.I, y**2], (x, y), (2, 2))
    values = kernel(np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0]))
    assert values.shape == (3, 2, 2)
    assert np.allclose(values[:, 0, 1], 2)
    assert np.allclose(values[:, 1, 0], 1j * np.sin([0.0, 1.0, 2.0]))
    assert "def _lambdifygenerated" in kernel.source
