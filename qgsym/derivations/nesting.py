"""Quantum geometric nesting (claims C10a, C10b): data and figures for the report.

Run alone: ``python -m qgsym.derivations.nesting [--out DIR]`` (default ``reports/nesting/``).
Writes ``nesting.json`` (symbolic proofs, numeric identity checks, the Q scans of all 15
spin x orbital order parameters of the Hofmann model, the Lindhard cross-check) and SVG
figures (deterministic: fixed svg.hashsalt, no date).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from qgsym.claims.base import json_safe  # noqa: E402
from qgsym.derive import nesting  # noqa: E402
from qgsym.model.loader import load_model  # noqa: E402

plt.rcParams["svg.hashsalt"] = "qgsym-nesting"
LABELS = "0xyz"


def _save(figure, path: Path) -> None:
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)


def identities() -> dict:
    """C10a: symbolic proofs and numeric checks of the Bloch form."""
    return {
        "two_band_symbolic": nesting.prove_two_band_identity(),
        "su4_clifford_symbolic": nesting.prove_clifford_identity(n_flat=2),
        "numeric_O_squared_1": [nesting.numeric_identity_check(n, n_flat, seed=s)
                                for s, (n, n_flat) in enumerate(((2, 1), (4, 1), (4, 2),
                                                                 (6, 2), (6, 3), (8, 4)))],
        "numeric_general_O": [nesting.numeric_identity_check(n, n_flat, seed=s, clifford=False)
                              for s, (n, n_flat) in enumerate(((2, 1), (3, 1), (4, 2)))],
    }


def scans(model, n: int) -> dict:
    """χ_Q of the 15 σ_a τ_b order parameters on the n x n grid (T = 1: χ·T)."""
    table = {}
    for spin in range(4):
        for orbital in range(4):
            if (spin, orbital) == (0, 0):
                continue
            scan = nesting.scan_susceptibility(model, nesting.pauli_product_operator(spin, orbital),
                                               [0, 1], n, 1.0)
            table[f"s{LABELS[spin]} t{LABELS[orbital]}"] = {
                "chi": scan.chi, "peak_Q_over_pi": 2 * scan.q_fractions[scan.peak],
                "chi_max": scan.chi.max(), "bound": scan.bound,
                "min_cos_angle_at_peak": scan.peak_alignment_min,
                "max_abs_trace_minus_bloch": np.max(np.abs(scan.chi - scan.chi_bloch)),
                "published_over_trace_at_peak": scan.chi_bloch_published[scan.peak]
                / scan.chi[scan.peak],
            }
    return table


def alignment_map(model, spin: int, orbital: int, steps, n: int) -> np.ndarray:
    """cos∠(b̃_o(k+Q), b(k)) on the k grid for Q = steps/n."""
    projectors, _ = nesting.flat_band_projectors(model, n, [0, 1])
    generators = nesting.gell_mann_generators(4)
    f = nesting.structure_constants(generators)
    b = nesting.bloch_vector(projectors, generators)
    _, o_vector = nesting.operator_components(nesting.pauli_product_operator(spin, orbital),
                                              generators)
    dressed = nesting.dressed_bloch_vector(nesting.shift_on_grid(b, steps, 2),
                                           np.real(o_vector), f, 4)
    return nesting.nesting_alignment(dressed, b)


def lindhard(model, n: int) -> list[dict]:
    operator = nesting.pauli_product_operator(1, 3)
    scan = nesting.scan_susceptibility(model, operator, [0, 1], n, 1.0)
    rows = []
    for temperature in (0.08, 0.04, 0.02, 0.01, 0.005):
        row = {"T": temperature}
        for name, steps in (("Q=(pi,pi)", (n // 2, n // 2)), ("Q=0", (0, 0)),
                            ("Q=(pi,0)", (n // 2, 0))):
            chi = nesting.lindhard_susceptibility(model, operator, steps, n, -1.0, temperature)
            row[name] = {"lindhard_times_4T": chi * 4 * temperature,
                         "chi_Q_times_T": scan.chi[steps]}
        rows.append(row)
    return rows


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reports/nesting", help="output folder")
    out = Path(parser.parse_args(argv).out)
    out.mkdir(parents=True, exist_ok=True)
    model = load_model("hofmann")
    n = 24
    data = {"model": model.summary(), "identities": identities(), "grid": [n, n]}
    table = scans(model, n)
    data["scans"] = {key: {k: v for k, v in row.items() if k != "chi"}
                     for key, row in table.items()}
    data["lindhard"] = lindhard(model, n)
    eta_rows = []
    for eta in (0.0, 0.3, 0.75, 1.5, 3.0):
        m = load_model("hofmann", {"eta_up": eta, "eta_down": eta})
        s = nesting.scan_susceptibility(m, nesting.pauli_product_operator(1, 3), [0, 1], 16, 1.0)
        eta_rows.append({"eta": eta, "chi_T_at_0": s.chi[0, 0], "chi_T_at_pi_pi": s.chi[8, 8],
                         "min_cos_angle_at_peak": s.peak_alignment_min})
    data["eta_dependence_sx_tz"] = eta_rows
    broken = load_model("hofmann", {"eta_down": -0.75})
    data["time_reversal_broken_scans"] = {
        key: {k: v for k, v in row.items() if k != "chi"}
        for key, row in scans(broken, 16).items()}
    (out / "nesting.json").write_text(json.dumps(json_safe(data), indent=1))

    # Figure 1: chi_Q T for the staggered (s_x t_z) and uniform (s_x) in-plane spin orders.
    figure, axes = plt.subplots(1, 2, figsize=(9, 4), constrained_layout=True)
    for axis, key, title in zip(axes, ("sx tz", "sx t0"),
                                ("$\\sigma_x\\tau_z$ (staggered, $N^x$)",
                                 "$\\sigma_x$ (uniform, $M^x$)"), strict=True):
        chi = np.roll(table[key]["chi"], (n // 2, n // 2), axis=(0, 1))
        image = axis.imshow(chi.T, origin="lower", extent=(-1, 1, -1, 1), vmin=0, vmax=2,
                            cmap="viridis")
        axis.set_xlabel("$Q_x/\\pi$")
        axis.set_ylabel("$Q_y/\\pi$")
        axis.set_title(f"$\\chi_Q T$, {title}")
        figure.colorbar(image, ax=axis, shrink=0.8)
    _save(figure, out / "chi_q_hofmann.svg")

    # Figure 2: alignment cos angle(b~(k+Q), b(k)).
    figure, axes = plt.subplots(1, 2, figsize=(9, 4), constrained_layout=True)
    for axis, (spin, orbital, steps, title) in zip(axes, (
            (1, 3, (n // 2, n // 2), "$\\sigma_x\\tau_z$, $Q=(\\pi,\\pi)$"),
            (1, 0, (0, 0), "$\\sigma_x$, $Q=0$")), strict=True):
        cosine = alignment_map(model, spin, orbital, steps, n).reshape(n, n)
        image = axis.imshow(cosine.T, origin="lower", extent=(0, 2, 0, 2), vmin=-1, vmax=1,
                            cmap="coolwarm")
        axis.set_xlabel("$k_x/\\pi$")
        axis.set_ylabel("$k_y/\\pi$")
        axis.set_title(f"cos angle($\\tilde b_o(k+Q)$, $b(k)$): {title}")
        figure.colorbar(image, ax=axis, shrink=0.8)
    _save(figure, out / "nesting_alignment.svg")

    # Figure 3: Lindhard (full 4-band, thermal factor) vs flat-band chi_Q.
    figure, axis = plt.subplots(figsize=(5.5, 4.2), constrained_layout=True)
    temperatures = [r["T"] for r in data["lindhard"]]
    for name, marker in (("Q=(pi,pi)", "o"), ("Q=0", "s"), ("Q=(pi,0)", "^")):
        deviation = [abs(r[name]["lindhard_times_4T"] - r[name]["chi_Q_times_T"]) + 1e-17
                     for r in data["lindhard"]]
        axis.loglog(temperatures, deviation, marker=marker, label=name)
    axis.loglog(temperatures, np.array(temperatures) * 2, "k--", label="$\\propto T$")
    axis.set_xlabel("$T/t$")
    axis.set_ylabel("$|4T\\chi_{\\rm Lindhard} - T\\chi_Q|$")
    axis.set_title("$\\sigma_x\\tau_z$: Lindhard $\\to f(1-f)\\chi_Q$")
    axis.legend()
    _save(figure, out / "lindhard_limit.svg")
    return out


if __name__ == "__main__":
    print(main())
