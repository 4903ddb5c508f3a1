"""σ^(1,1) τ⁰ from the exact static Moyal equation (qgsym.derive.field_gradient).

Tolerances: both sides of each identity are integrated on the same k grid (the integrations
by parts are exact up to the trapezoid error of periodic total derivatives); the probe
wavevector is Richardson-extrapolated (entries change by ~5e-4 between probe sizes, so the
extrapolated error is ~1e-7). Hence 1e-5 relative; a wrong coefficient (1/2 instead of 1)
would miss by 50 %.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from random_models import random_lattice_model

from qgsym.bands.geometry import band_geometry
from qgsym.bands.kspace import energy_scale, fermi_dirac, make_grid
from qgsym.claims.moyal_gradient import candidates, fully_symmetric
from qgsym.derive.field_gradient import geometric_basis, gradient_response
from qgsym.errors import QgsymError
from qgsym.model.loader import load_model

TOLERANCE = 1e-5
GRID = 24


def _metal(seed):
    # hopping 0.4 keeps the bands gapped (levels 0, 6, 12); mu inside the lowest band
    return random_lattice_model(seed, n_bands=3, hopping=0.4), 0.3, 0.4


def _response_and_basis(seed):
    model, mu, temperature = _metal(seed)
    return (gradient_response(model, GRID, mu, temperature),
            geometric_basis(model, GRID, mu, temperature))


def _relative(a, b):
    return float(np.max(np.abs(a - b))) / float(np.max(np.abs(b)))


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 10_000))
def test_longitudinal_kubo_part_is_minus_the_metric_dipole(seed):
    response, basis = _response_and_basis(seed)
    assert _relative(fully_symmetric(response["kubo"]),
                     fully_symmetric(-basis["d_i g_jl"])) < TOLERANCE


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 10_000))
def test_band_density_relaxation_adds_minus_velocity_times_bnqm(seed):
    response, basis = _response_and_basis(seed)
    assert _relative(response["band_density_shift"], -basis["v_i G_jl"]) < TOLERANCE


def test_first_order_in_q_is_the_anomalous_hall_conductivity():
    model, mu, temperature = _metal(5)
    response = gradient_response(model, GRID, mu, temperature)
    curvature = 0.0
    for points, weights in make_grid(model, GRID).chunks(4000):
        geometry = band_geometry(model.hamiltonian, points, model.multiplets, energy_scale(model))
        occupation = fermi_dirac(geometry.energies, mu, temperature) * weights[:, None]
        curvature = curvature + np.einsum("pn,abpn->ab", occupation, geometry.berry_curvature)
    assert abs(response["hall"][0, 1]) > 1e-6  # T broken: not 0 = 0 (noise is ~1e-13)
    assert _relative(response["hall"], -curvature) < TOLERANCE


def test_longitudinal_current_equals_the_completeness_identity():
    model, mu, temperature = _metal(8)
    pairs = np.asarray(gradient_response(model, GRID, mu, temperature)["longitudinal_pairs"])
    assert _relative(pairs[:, 0], pairs[:, 1]) < TOLERANCE


def test_lapa_hughes_is_half_the_kubo_part_and_not_the_band_kinetics():
    response, basis = _response_and_basis(13)
    table = candidates(basis)
    lapa_hughes = fully_symmetric(table["lapa-hughes"])
    assert _relative(lapa_hughes, 0.5 * fully_symmetric(response["kubo"])) < TOLERANCE
    assert _relative(lapa_hughes, fully_symmetric(response["band_density"])) > 0.1


def test_slide_terms_give_the_band_kinetics_longitudinal_part():
    response, basis = _response_and_basis(21)
    table = candidates(basis)
    derived = fully_symmetric(response["band_density"])
    assert _relative(fully_symmetric(table["slide"]), derived) < TOLERANCE
    assert _relative(fully_symmetric(table["eq329_band_current"]), derived) < TOLERANCE


def test_time_reversal_forbids_the_longitudinal_probe_response():
    # T maps k -> -k with eps, g, G even: every (j, l)-symmetric tau^0 sigma^(1,1) vanishes
    # (the T-allowed part, antisymmetric in i, j, cannot be symmetric in j, l). Haldane with
    # t2 = 0 keeps T (mass M = 0.2 keeps the gap); the default t2 = 0.1 breaks it.
    broken = gradient_response(load_model("haldane"), GRID, 0.9, 0.15)["kubo"]
    symmetric = gradient_response(load_model("haldane", {"t2": 0.0}), GRID, 0.9, 0.15)["kubo"]
    scale = float(np.max(np.abs(broken)))
    assert scale > 1e-4
    assert float(np.max(np.abs(symmetric))) < 1e-8 * scale


def test_continuum_models_are_rejected():
    with pytest.raises(QgsymError, match="lattice"):
        gradient_response(load_model("massive_dirac"), 8, 0.1, 0.1)
