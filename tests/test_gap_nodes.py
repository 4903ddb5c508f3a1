"""The gap survey reports every node with its own energy window and flags only the levels in it.

References independent of the code under test: the analytic nodes of the QWZ model at m = 0,
k = (0, π) and (π, 0) (where d = (sin kx, sin ky, m + cos kx + cos ky) vanishes), shifted to
the energies ±2a by a term a (cos kx − cos ky) times the identity, which moves both bands
together and leaves the gap 2|d| unchanged; a dense brute-force grid for the location of the
gap minima; and, for random multiband models, a touching forced at a random k0 by a rank-one
term (the crossing energy is the eigenvalue ε_b(k0), unchanged by the term).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from random_models import (
    VECTORS_2D,
    TrigonometricHamiltonian,
    forced_touching_model,
    random_lattice_model,
)

import qgsym.bands.execution as execution
import qgsym.bands.gap_closing as gap_closing
from qgsym.bands.gap_closing import (
    level_gap_flags,
    require_open_gaps,
    survey_gaps,
    window_hits,
)
from qgsym.compute import with_degeneracy_threshold
from qgsym.errors import GapClosingError
from qgsym.model.bloch import NumericModel

SHIFT = 0.5  # a: the node at (0, pi) sits at +2a = +1, the node at (pi, 0) at -2a = -1
GRID = 40
T = 0.01
SIGMA = {"x": np.array([[0, 1], [1, 0]], dtype=complex),
         "y": np.array([[0, -1j], [1j, 0]]),
         "z": np.array([[1, 0], [0, -1]], dtype=complex),
         "1": np.eye(2, dtype=complex)}


def two_node_model(shift: float = SHIFT, mass: float = 0.0) -> NumericModel:
    """H = sin kx σx + sin ky σy + (m + cos kx + cos ky) σz + a (cos kx − cos ky) 1.

    As Σ_R (h_R e^{ik·R} + h.c.): sin k = (e^{ik} − e^{−ik})/2i, cos k = (e^{ik} + e^{−ik})/2;
    a mass m opens both nodes to a gap 2|m|.
    """
    hoppings = np.zeros((len(VECTORS_2D), 2, 2), dtype=complex)
    hoppings[0] = mass * SIGMA["z"] / 2  # R = 0: h_0 + h_0^dagger = m sigma_z
    hoppings[1] = SIGMA["x"] / 2j + SIGMA["z"] / 2 + shift * SIGMA["1"] / 2  # R = (1, 0)
    hoppings[2] = SIGMA["y"] / 2j + SIGMA["z"] / 2 - shift * SIGMA["1"] / 2  # R = (0, 1)
    return NumericModel(name="two-node", dimension=2, reciprocal=2 * np.pi * np.eye(2),
                        hamiltonian=TrigonometricHamiltonian(VECTORS_2D, hoppings), n_bands=2)


def wrapped(k) -> np.ndarray:
    return np.mod(np.asarray(k) + np.pi, 2 * np.pi) - np.pi


def test_two_nodes_have_their_own_windows_and_the_levels_between_are_not_flagged():
    model = two_node_model()
    survey = survey_gaps(model, GRID)
    closings = survey.closings()
    # the even midpoint grid contains neither node: both are found between grid points
    assert len(closings) == 2 and not any(c.on_grid for c in closings)
    nodes = {(0.0, np.pi): 2 * SHIFT, (np.pi, 0.0): -2 * SHIFT}
    for closing in closings:
        node = min(nodes, key=lambda q: np.linalg.norm(np.abs(wrapped(closing.k)) - q))
        # a conical node: a gap below the tolerance 1e-7 W (W ~ 5) locates it to ~1e-7
        np.testing.assert_allclose(np.abs(wrapped(closing.k)), node, atol=1e-5)
        assert closing.energy == pytest.approx(nodes[node], abs=1e-5)
        low, high = closing.window
        assert low < nodes[node] < high
        # the level half-way between the nodes: both bands filled at one node, empty at the
        # other, so it is outside both windows
        assert not (low < 0.0 < high)
    mus = np.linspace(-2.0, 2.0, 81)
    warnings, flagged = level_gap_flags(model, GRID, "sigma1", mus, T)
    assert flagged[np.abs(np.abs(mus) - 2 * SHIFT) < 0.1].all()  # at and next to each node
    assert not flagged[np.abs(mus) <= 0.25].any()  # between the nodes
    assert not flagged[np.abs(mus) >= 1.75].any()  # beyond them
    runs = np.flatnonzero(np.diff(flagged.astype(int)))
    assert len(runs) == 4  # two separate intervals of flagged levels
    assert len(warnings) == 1 and "bands 0 and 1" in warnings[0] and "2 points" in warnings[0]


def test_windows_contain_the_crossings_of_a_dense_grid():
    # Brute force: the gap 2|d| on a 1201^2 grid (step 5e-3), its minimum in each half of the
    # zone; the mean band energy there must lie in the window of the closing found nearby.
    model = two_node_model()
    axis = np.linspace(-np.pi, np.pi, 1201)
    kx, ky = np.meshgrid(axis, axis, indexing="ij")
    d = np.sqrt(np.sin(kx) ** 2 + np.sin(ky) ** 2 + (np.cos(kx) + np.cos(ky)) ** 2)
    shift = SHIFT * (np.cos(kx) - np.cos(ky))
    survey = survey_gaps(model, GRID)
    for half in (np.abs(kx) < np.abs(ky), np.abs(kx) > np.abs(ky)):
        where = np.unravel_index(np.argmin(np.where(half, d, np.inf)), d.shape)
        crossing = shift[where]  # mean of the two bands
        k = np.array([kx[where], ky[where]])
        near = [m for m in survey.closings()
                if np.linalg.norm(wrapped(m.k - k)) < 2 * np.pi / GRID]
        assert len(near) == 1 and near[0].window[0] < crossing < near[0].window[1]


def test_a_single_level_is_refused_only_at_a_node():
    model = two_node_model()
    with pytest.raises(GapClosingError, match="bands 0 and 1"):
        require_open_gaps(model, GRID, "sigma1", ([2 * SHIFT], T))
    # mu = 0: the pair is filled at one node and empty at the other; never an abort
    assert require_open_gaps(model, GRID, "sigma1", ([0.0], T)) == ()


def test_a_gap_below_the_threshold_is_grouped_and_a_closing_stays_a_closing():
    # --degeneracy-threshold 1e-3, nodes opened to 2m = 2e-4: above the closing tolerance
    # (1e-7 W, W ~ 4) and below the threshold, so each is one multiplet there, flagged with
    # where it is, not refused; at random k the gap is ~1, so the two bands stay separate
    # generic multiplets.
    model = with_degeneracy_threshold(two_node_model(mass=1e-4), 1e-3)
    assert len(model.multiplets) == 2
    survey = survey_gaps(model, GRID)
    assert len(survey.grouped()) == 2 and not survey.closings()
    assert all(abs(m.gap - 2e-4) < 1e-6 for m in survey.grouped())  # 2|m|, found off-grid
    warnings = require_open_gaps(model, GRID, "sigma1", ([2 * SHIFT], T))
    assert warnings and all("one multiplet" in w for w in warnings)
    # an exact node is a closing whatever the threshold: refused at its level, since the
    # grouped sums drop the pair terms that carry a node's physics at the Fermi level
    closed = with_degeneracy_threshold(two_node_model(), 1e-3)
    assert len(survey_gaps(closed, GRID).closings()) == 2
    with pytest.raises(GapClosingError, match="bands 0 and 1"):
        require_open_gaps(closed, GRID, "sigma1", ([2 * SHIFT], T))


def _same_minima(one, other) -> bool:
    return len(one.minima) == len(other.minima) and all(
        a.gap == b.gap and a.energy == b.energy and np.array_equal(a.k, b.k)
        and np.array_equal(a.window, b.window) for a, b in zip(one.minima, other.minima,
                                                               strict=True))


def test_any_number_of_workers_gives_the_same_survey(monkeypatch):
    # Small chunks and no time threshold force a process pool on several chunks; the chunks
    # are fixed, so the minima must agree to the last bit.
    monkeypatch.setattr(execution, "PARALLEL_AFTER", 0.0)
    monkeypatch.setattr(gap_closing, "_STARTS_PER_CHUNK", 1)
    pools = []
    pool_map = execution._pool_map
    monkeypatch.setattr(execution, "_pool_map",
                        lambda *args: pools.append(args[2]) or pool_map(*args))
    model = random_lattice_model(7, 4, 1.0)  # three pairs, near-touching bands
    surveys = []
    for workers in (1, 3):
        with execution.using(execution.Runner(workers)):
            surveys.append(survey_gaps(model, 32))
    one, many = surveys
    assert pools and pools[0] > 1  # the second survey's minimisations ran in processes
    assert len(one.minima) >= 3 and _same_minima(one, many)


def test_a_dask_cluster_gives_the_same_survey(monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(gap_closing, "_STARTS_PER_CHUNK", 1)
    model = random_lattice_model(7, 4, 1.0)
    serial = survey_gaps(model, 32)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client, \
            execution.using(execution.Runner(1, client)):
        remote = survey_gaps(model, 32)
    assert _same_minima(serial, remote)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 100_000), st.sampled_from([3, 4]))
def test_the_window_of_a_forced_touching_contains_its_energy(seed, n_bands):
    # bands b and b+1 touch at k0 at the energy e_b(k0) (random_models.forced_touching_model)
    model, k0, band, crossing = forced_touching_model(seed, n_bands)
    survey = survey_gaps(model, 24)
    at_k0 = [m for m in survey.closings() if (m.lower, m.upper) == (band, band + 1)
             and np.linalg.norm(wrapped(m.k - k0)) < 1e-3]
    assert at_k0 and any(m.window[0] < crossing < m.window[1] for m in at_k0)
    _, flagged = level_gap_flags(model, 24, "x", [crossing], T)
    assert flagged[0]
    # a level beyond the whole spectrum (W above the highest band, ~ W/T thermal widths) is
    # never flagged
    top = crossing + 3 * survey.scale
    assert not window_hits(np.array([m.window for m in survey.near_degeneracies()]),
                           [top], T, survey.scale).any()


@settings(max_examples=50, deadline=None)
@given(st.floats(-3, 3), st.floats(0, 2), st.floats(-5, 5), st.floats(1e-3, 0.5))
def test_window_hits_is_the_occupation_test_at_both_ends(low, width, mu, temperature):
    # window_hits solves f0(1 - f0) = c for |e - mu| once; fully_occupied_or_empty evaluates
    # f0' at both ends: they must agree (away from the boundary itself, where either may round).
    window = np.array([[low, low + width]])
    margin = gap_closing.occupation_margin(temperature, 4.0)
    distance = min(abs(mu - low), abs(mu - low - width))
    if abs(distance - margin) < 1e-9 * max(1.0, margin):
        return
    expected = not gap_closing.fully_occupied_or_empty(window[0], [mu], temperature, 4.0)
    assert window_hits(window, [mu], temperature, 4.0)[0, 0] == expected
