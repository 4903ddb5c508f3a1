"""Derivation script for claims C11a-C11c: band projection of the quasiperiodic chain.

Seed 002 (Riche et al., arXiv:2603.13548) on the chain of Gonçalves et al., Nature Physics 20,
1933 (2024). Runs the exact diagonalization (ED) of the interacting chain at fixed particle
number, the first- and second-order band-projected Hamiltonians, the optical conductivity in
the Lehmann representation and the Drude weight from twisted boundary conditions, and
writes JSON data and SVG figures.

Usage::

    python -m qgsym.derivations.projection [--out DIR] [--large]

``--large`` adds an L = 20 size check of the error exponents (about a minute per ED point).
Energies are in units of the hopping t; e = hbar = lattice spacing = 1.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import matplotlib  # noqa: E402
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

from qgsym.claims.base import json_safe  # noqa: E402
from qgsym.derive import projection as qp  # noqa: E402

plt.rcParams["svg.hashsalt"] = "qgsym-projection"
plt.rcParams["font.size"] = 9

LABELS = {"first_order": "1st order (Eq. 3)", "second_order": "2nd order, exact denominators",
          "second_order_flat": "2nd order, flat-band denominators (seed)"}
COLORS = {"exact": "black", "first_order": "tab:blue", "second_order": "tab:red",
          "second_order_flat": "tab:green"}

EXTENDED = qp.QuasiperiodicChain(14, 5, modulation=0.8, phase=math.pi / 4, twist=0.3)
CRITICAL = qp.QuasiperiodicChain(14, 5, modulation=1.5, phase=math.pi / 4, twist=0.3)
LARGER = qp.QuasiperiodicChain(18, 7, modulation=0.8, phase=math.pi / 4, twist=0.3)
LARGEST = qp.QuasiperiodicChain(20, 7, modulation=0.8, phase=math.pi / 4, twist=0.3)

SMALL_V = (0.0125, 0.025, 0.05, 0.1, 0.2)
GAP_V = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
DRUDE_V = (0.0, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8)
OPTICS_V = (0.0125, 0.025, 0.05, 0.1, 0.2, 0.4)


def describe(chain: qp.QuasiperiodicChain) -> dict:
    partition = qp.band_partition(chain)
    return {"L": chain.length, "L_c": chain.period_numerator, "tau": chain.tau,
            "lambda": chain.modulation, "phi": chain.phase, "kappa": chain.twist,
            "narrow_band_states": partition.n_flat, "narrow_band_width": partition.width,
            "remote_gap": partition.remote_gap}


def tidy_log_axes(axis) -> None:
    """No labels on minor log ticks (they overlap on short decades)."""
    axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def save(figure, path: Path) -> None:
    for axis in figure.axes:
        if axis.get_xscale() == "log":
            tidy_log_axes(axis)
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)


def band_figure(out: Path) -> dict:
    twists = np.linspace(0, 2 * np.pi, 61)
    data = {}
    figure, axes = plt.subplots(1, 2, figsize=(7, 3), sharey=True)
    for axis, (name, chain) in zip(axes, (("extended", LARGER),
                                          ("critical", LARGER.with_(modulation=1.5))),
                                   strict=True):
        partition = qp.band_partition(chain)
        bands = np.array([qp.band_structure(chain.with_(twist=k))[0] for k in twists])
        flat = partition.flat_slice
        axis.plot(twists, np.delete(bands, np.r_[flat], axis=1), color="0.6", lw=0.8)
        axis.plot(twists, bands[:, flat], color="tab:red", lw=1.2)
        axis.set_title(f"L={chain.length}, tau={chain.period_numerator}/{chain.length}, "
                       f"lambda={chain.modulation}")
        axis.set_xlabel("twist kappa")
        data[name] = {"model": describe(chain), "twists": twists, "bands": bands}
    axes[0].set_ylabel("single-particle energy / t")
    figure.tight_layout()
    save(figure, out / "bands.svg")
    return data


def scaling_data(chains: dict, values) -> dict:
    data = {}
    for name, chain in chains.items():
        rows = [qp.compare_spectra(chain.with_(interaction=v)) for v in values]
        errors = [qp.projection_errors(row) for row in rows]
        entry = {"model": describe(chain), "V": list(values), "fits": {}, "errors": {}}
        for _, _, label in qp.PROJECTIONS:
            entry["errors"][label] = {q: [e[label][q] for e in errors]
                                      for q in ("ground_energy", "charge_gap", "levels_max")}
            entry["fits"][label] = {q: qp.power_law_exponent(np.array(values[:4]),
                                                             np.array(entry["errors"][label][q][:4]))
                                    for q in ("ground_energy", "charge_gap", "levels_max")}
        entry["exact_ground_energy"] = [r["exact"]["half"][0] for r in rows]
        entry["exact_charge_gap"] = [r["exact_charge_gap"] for r in rows]
        data[name] = entry
    return data


def scaling_figure(data: dict, out: Path) -> None:
    names = list(data)
    figure, axes = plt.subplots(2, len(names), figsize=(3.2 * len(names), 5.5), squeeze=False)
    for column, name in enumerate(names):
        entry = data[name]
        values = np.array(entry["V"])
        for row, quantity in enumerate(("ground_energy", "charge_gap")):
            axis = axes[row, column]
            for _, _, label in qp.PROJECTIONS:
                errors = np.abs(entry["errors"][label][quantity])
                exponent = entry["fits"][label][quantity]["exponent"]
                axis.loglog(values, errors, "o-", color=COLORS[label], ms=3,
                            label=f"{LABELS[label]}: slope {exponent:.2f}")
            axis.set_xlabel("V / t")
            axis.set_ylabel(f"|error| of {quantity.replace('_', ' ')}")
            model = entry["model"]
            axis.set_title(f"L={model['L']}, lambda={model['lambda']}", fontsize=8)
            axis.legend(fontsize=6, loc="upper left")
    figure.tight_layout()
    save(figure, out / "error_scaling.svg")


def charge_gap_data(chain: qp.QuasiperiodicChain, values) -> dict:
    rows = [qp.compare_spectra(chain.with_(interaction=v)) for v in values]
    data = {"model": describe(chain), "V": list(values),
            "exact": [r["exact_charge_gap"] for r in rows]}
    for _, _, label in qp.PROJECTIONS:
        data[label] = [r[label + "_charge_gap"] for r in rows]
    return data


def charge_gap_figure(data: dict, out: Path) -> None:
    figure, axis = plt.subplots(figsize=(4.5, 3.2))
    axis.plot(data["V"], data["exact"], "ko-", ms=4, label="ED")
    for _, _, label in qp.PROJECTIONS:
        axis.plot(data["V"], data[label], "s--", color=COLORS[label], ms=3, label=LABELS[label])
    model = data["model"]
    axis.axvline(model["narrow_band_width"], color="0.7", lw=0.8, ls=":")
    axis.text(model["narrow_band_width"], axis.get_ylim()[0], " W", fontsize=7, va="bottom")
    axis.set_xlabel("V / t")
    axis.set_ylabel("charge gap E(N+1)+E(N-1)-2E(N)")
    axis.set_title(f"L={model['L']}, tau={model['L_c']}/{model['L']}, "
                   f"lambda={model['lambda']}, remote gap {model['remote_gap']:.2f}", fontsize=8)
    axis.legend(fontsize=7)
    figure.tight_layout()
    save(figure, out / "charge_gap.svg")


def drude_data(chain: qp.QuasiperiodicChain, values) -> dict:
    rows = [qp.drude_comparison(chain.with_(interaction=v)) for v in values]
    return {"model": describe(chain), "V": list(values), "rows": rows}


def drude_figure(data: dict, out: Path) -> None:
    values = np.array(data["V"])
    rows = data["rows"]
    figure, axes = plt.subplots(1, 2, figsize=(7.5, 3.2))
    axes[0].plot(values, [r["twist_richardson"] for r in rows], "ko-", ms=4,
                 label="ED: twist curvature (C4)")
    axes[0].plot(values, [r["kohn_formula"] for r in rows], "x", color="orange", ms=7,
                 label="ED: Kohn formula (C5)")
    for _, _, label in qp.PROJECTIONS:
        axes[0].plot(values, [r[label] for r in rows], "s--", color=COLORS[label], ms=3,
                     label=LABELS[label])
    axes[0].set_xlabel("V / t")
    axes[0].set_ylabel("Drude weight D")
    axes[0].legend(fontsize=6)
    positive = values > 0
    for _, _, label in qp.PROJECTIONS:
        errors = np.abs([r[label] - r["kohn_formula"] for r in rows])
        axes[1].loglog(values[positive], errors[positive], "o-", color=COLORS[label], ms=3,
                       label=LABELS[label])
    axes[1].loglog(values[positive],
                   np.abs([r["twist_richardson"] - r["kohn_formula"] for r in rows])[positive],
                   "k:", label="ED twist - Kohn (finite differences)")
    axes[1].set_xlabel("V / t")
    axes[1].set_ylabel("|D_projected - D_ED|")
    axes[1].legend(fontsize=6)
    model = data["model"]
    figure.suptitle(f"L={model['L']}, lambda={model['lambda']}", fontsize=8)
    figure.tight_layout()
    save(figure, out / "drude_weight.svg")


def optics_data(chain: qp.QuasiperiodicChain, values, full_chain: qp.QuasiperiodicChain,
                full_v: float) -> dict:
    rows = [qp.optics_comparison(chain.with_(interaction=v)) for v in values]
    full = full_chain.with_(interaction=full_v)
    half = full.length // 2
    response = qp.ground_state_response(full, half)  # every eigenstate (dense)
    frequencies, weights = qp.regular_part_weights(response["energies"],
                                                   response["current_squared"], full.length)

    def ground(twist):
        return qp.exact_energies(full.with_(twist=twist), half, 1)[0]

    coarse = qp.drude_weight_from_twist(ground, full.twist, full.length, 0.02)
    fine = qp.drude_weight_from_twist(ground, full.twist, full.length, 0.01)
    drude = (16 * fine - coarse) / 15
    return {"model": describe(chain), "V": list(values), "rows": rows,
            "full_spectrum": {"model": describe(full), "V": full_v, "frequencies": frequencies,
                              "weights": weights, "drude_twist": drude,
                              "f_sum": qp.f_sum_rule(drude, weights, response["kinetic"],
                                                     full.length)}}


def optics_figure(data: dict, out: Path) -> None:
    figure, axes = plt.subplots(1, 3, figsize=(10.5, 3.2))
    full = data["full_spectrum"]
    omega = np.linspace(0, float(np.max(full["frequencies"])) + 0.5, 2000)
    sigma = qp.regular_conductivity(omega, np.asarray(full["frequencies"]),
                                    np.asarray(full["weights"]), 0.05)
    axes[0].plot(omega, sigma, "k-", lw=0.8)
    axes[0].set_xlabel("omega / t")
    axes[0].set_ylabel("sigma_reg (Gaussian 0.05)")
    rule = full["f_sum"]
    axes[0].set_title(f"full ED, L={full['model']['L']}, V={full['V']}: f-sum "
                      f"{rule['integral']:.6f} vs {rule['kinetic_side']:.6f}", fontsize=7)
    index = int(np.argmin(np.abs(np.array(data["V"]) - 0.4)))
    row = data["rows"][index]
    top = float(np.max(row["exact"]["frequencies"])) + 0.2
    omega = np.linspace(0, top, 800)
    for label, style in (("exact", "k-"), ("flat_band_current", "b--"),
                         ("dressed_current", "r:")):
        axes[1].plot(omega, qp.regular_conductivity(omega, np.asarray(row[label]["frequencies"]),
                                                    np.asarray(row[label]["weights"]), 0.01),
                     style, label={"exact": "ED", "flat_band_current": "BP, FB current (C31)",
                                   "dressed_current": "BP, dressed current"}[label])
    axes[1].set_xlabel("omega / t")
    axes[1].set_ylabel("low-frequency sigma_reg (Gaussian 0.01)")
    axes[1].set_title(f"L={data['model']['L']}, V={row['interaction']}", fontsize=8)
    axes[1].legend(fontsize=6)
    values = np.array(data["V"])
    for label, color in (("flat_band_current", "tab:blue"), ("dressed_current", "tab:red")):
        errors = [abs(r[label]["spectral_weight"] - r["exact"]["spectral_weight"])
                  for r in data["rows"]]
        fit = qp.power_law_exponent(values[:4], np.array(errors[:4]))
        axes[2].loglog(values, errors, "o-", color=color, ms=3,
                       label=f"{label.replace('_', ' ')}: slope {fit['exponent']:.2f}")
    axes[2].set_xlabel("V / t")
    axes[2].set_ylabel("|error| of low-frequency weight (Eq. 11)")
    axes[2].legend(fontsize=6)
    figure.tight_layout()
    save(figure, out / "optical_conductivity.svg")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path("reports") / "projection"))
    parser.add_argument("--large", action="store_true", help="add an L = 20 size check")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    chains = {"extended_L14": EXTENDED, "critical_L14": CRITICAL, "extended_L18": LARGER}
    if args.large:
        chains["extended_L20"] = LARGEST
    results = {
        "source": "seed 002 (Riche et al., arXiv:2603.13548); model: Goncalves et al., Nature "
                  "Physics 20, 1933 (2024); see qgsym/derive/projection/",
        "units": "energies in units of t; e = hbar = a = 1; D = (L/2) d^2E_0/dkappa^2; "
                 "Re sigma = 2 pi D delta(omega) + sigma_reg",
        "bands": band_figure(out),
    }
    results["error_scaling"] = scaling_data(chains, SMALL_V if not args.large else SMALL_V[:4])
    scaling_figure(results["error_scaling"], out)
    results["charge_gap"] = charge_gap_data(LARGER, GAP_V)
    charge_gap_figure(results["charge_gap"], out)
    results["drude_weight"] = drude_data(EXTENDED, DRUDE_V)
    drude_figure(results["drude_weight"], out)
    results["optics"] = optics_data(EXTENDED, OPTICS_V,
                                    qp.QuasiperiodicChain(10, 3, modulation=0.8, phase=0.7,
                                                          twist=0.37), 0.5)
    optics_figure(results["optics"], out)
    (out / "projection.json").write_text(json.dumps(json_safe(results), indent=1, sort_keys=True)
                                         + "\n")
    print(f"wrote {out} in {time.perf_counter() - start:.1f} s")
    for name, entry in results["error_scaling"].items():
        fits = entry["fits"]
        print(name, {label: round(fits[label]["ground_energy"]["exponent"], 3)
                     for label in fits})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
