"""Entropy transport (claims C12a, C12b): data and figures for the report.

Run alone: ``python -m qgsym.derivations.entropy [--out DIR]`` (default ``reports/entropy/``).
Writes ``entropy.json`` (symbolic proofs; α_xy by Xiao's formula and by the Mott-like energy
integral; the low-T limit; the Onsager pair; entropy production of the driven density
matrix) and SVG figures (deterministic: fixed svg.hashsalt, no date).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from qgsym.claims.base import json_safe  # noqa: E402
from qgsym.derive import entropy  # noqa: E402
from qgsym.model.loader import load_model  # noqa: E402

plt.rcParams["svg.hashsalt"] = "qgsym-entropy"


def _save(figure, path: Path) -> None:
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)


def nernst_versus_mu(n: int = 160) -> dict:
    """QWZ: α_xy(μ) by Xiao's sum and by the Mott-like form (FHS links), three temperatures."""
    model = load_model("qwz")
    staircase = entropy.hall_staircase_from_links(model, n)
    mus = np.linspace(-3.5, 3.5, 57)
    rows = {}
    for temperature in (0.05, 0.1, 0.2):
        xiao = [entropy.anomalous_nernst(model, mu, temperature, n)[0]["xy"] for mu in mus]
        mott = [entropy.mott_form(staircase, mu, temperature, "xiao") for mu in mus]
        rows[str(temperature)] = {"xiao": xiao, "mott_links": mott}
    return {"model": "qwz", "parameters": dict(model.parameters), "grid": [n, n], "mu": mus,
            "by_T": rows}


def low_temperature() -> dict:
    model = replace(load_model("massive_dirac"), cutoff=0.8)
    mu, mass = 0.3, model.parameters["m"]
    temperatures = [0.0025, 0.005, 0.01, 0.02, 0.04]
    values = [entropy.anomalous_nernst(model, mu, t, 320)[0]["xy"] for t in temperatures]
    closed = [entropy.sommerfeld_massive_dirac(mu, t, mass) for t in temperatures]
    return {"model": "massive_dirac (cutoff 0.8)", "mu": mu, "T": temperatures,
            "alpha": values, "sommerfeld": closed}


def onsager(n: int = 120) -> dict:
    model = load_model("haldane")
    reversed_model = entropy.time_reversed_model(model)
    staircase = entropy.hall_staircase_from_links(reversed_model, n)
    temperature = 0.1
    mus = np.linspace(-3.2, 3.2, 33)
    beta, alpha_reversed = [], []
    for mu in mus:
        beta.append(entropy.entropy_hall_density_matrix(model, mu, temperature, n)["beta"]["xy"])
        alpha_reversed.append(-entropy.mott_form(staircase, mu, temperature, "xiao"))
    return {"model": "haldane", "T": temperature, "grid": [n, n], "mu": mus,
            "beta_xy_M": beta, "alpha_yx_minus_M": alpha_reversed}


def production() -> dict:
    model = load_model("qwz")
    tau, temperature = 5.0, 0.2
    mus = np.linspace(-3.0, 3.0, 25)
    decomposition = []
    for mu in mus:
        closed = entropy.production_closed_forms(model, mu, temperature, tau, [1.0, 0.0], 64)
        decomposition.append({"mu": mu, "drude": closed["drude"], "metric": closed["metric"],
                              "metric_large_tau": closed["metric_large_tau"]})
    fields = [0.04, 0.02, 0.01, 0.005]
    approach = {}
    for label, mu in (("metal", 1.5), ("insulator", 0.0)):
        second = entropy.second_order_production(
            entropy.driven_state(model, mu, temperature, tau, [1.0, 0.0], 48, 1))
        rows = []
        for field in fields:
            state = entropy.exact_driven_state(model, mu, temperature, tau, [field, 0.0], 48)
            result = entropy.entropy_production_and_power(state)
            rows.append({"E": field, "Pi": result["entropy_production"],
                         "JE_over_T": result["power_over_T"]})
        approach[label] = {"mu": mu, "Pi2_per_E2": second, "rows": rows}
    taus = [1.0, 2.0, 5.0, 10.0, 20.0]
    tau_rows = [dict(tau=t, **{k: v for k, v in entropy.production_closed_forms(
        model, 0.0, 0.15, t, [1.0, 0.0], 64).items() if k in ("drude", "metric",
                                                              "metric_large_tau")})
        for t in taus]
    return {"model": "qwz", "tau": tau, "T": temperature, "decomposition": decomposition,
            "approach": approach, "insulator_tau_scan_T0.15": tau_rows}


def _plot_nernst(data: dict, out: Path) -> None:
    """Figure 1: alpha_xy(mu), Xiao vs Mott."""
    curve = data["nernst_versus_mu"]
    figure, axis = plt.subplots(figsize=(6, 4), constrained_layout=True)
    for temperature, rows in curve["by_T"].items():
        line, = axis.plot(curve["mu"], rows["xiao"], label=f"$\\Sigma\\int s\\Omega$, T={temperature}")
        axis.plot(curve["mu"], rows["mott_links"], "o", ms=3, color=line.get_color())
    axis.set_xlabel("$\\mu$ (QWZ, $m=1$)")
    axis.set_ylabel("$\\alpha_{xy}$ ($ek_B/\\hbar$)")
    axis.set_title("Xiao form (lines) vs Mott-like form, FHS curvature (dots)")
    axis.legend(fontsize=8)
    _save(figure, out / "nernst_xiao_vs_mott.svg")


def _plot_low_temperature(data: dict, out: Path) -> None:
    """Figure 2: low-T limit."""
    low = data["low_temperature"]
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.8), constrained_layout=True)
    axes[0].plot(low["T"], np.array(low["alpha"]) / np.array(low["T"]), "o-", label="numeric")
    axes[0].plot(low["T"], np.array(low["sommerfeld"]) / np.array(low["T"]), "k--",
                 label="$-\\pi m/(12\\mu^2)$")
    axes[0].set_xlabel("$T$ (eV)")
    axes[0].set_ylabel("$\\alpha_{xy}/T$")
    axes[0].legend()
    deviation = np.abs(np.array(low["alpha"]) / np.array(low["sommerfeld"]) - 1)
    axes[1].loglog(low["T"], deviation, "o-", label="relative deviation")
    axes[1].loglog(low["T"], deviation[1] * (np.array(low["T"]) / low["T"][1]) ** 2, "k--",
                   label="$\\propto T^2$")
    axes[1].set_xlabel("$T$ (eV)")
    axes[1].legend()
    figure.suptitle("massive Dirac, $\\mu = 0.3$ eV: Sommerfeld limit of $\\alpha_{xy}$")
    _save(figure, out / "nernst_low_temperature.svg")


def _plot_onsager(data: dict, out: Path) -> None:
    """Figure 3: Onsager pair."""
    pair = data["onsager"]
    figure, axis = plt.subplots(figsize=(6, 4), constrained_layout=True)
    axis.plot(pair["mu"], pair["beta_xy_M"], "-", label="$\\beta_{xy}(M)$, density matrix")
    axis.plot(pair["mu"], pair["alpha_yx_minus_M"], "o", ms=4,
              label="$\\alpha_{yx}(-M)$, Mott on $H(-k)^*$")
    axis.set_xlabel("$\\mu$ (Haldane)")
    axis.set_ylabel("($ek_B/\\hbar$)")
    axis.set_title("Onsager: entropy Hall vs anomalous Nernst, T = 0.1")
    axis.legend()
    _save(figure, out / "onsager_entropy_hall.svg")


def _plot_production(data: dict, out: Path) -> None:
    """Figure 4: entropy production."""
    prod = data["production"]
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    mus = [r["mu"] for r in prod["decomposition"]]
    axes[0].semilogy(mus, [r["drude"] for r in prod["decomposition"]], label="Drude ($\\propto\\tau$)")
    axes[0].semilogy(mus, [r["metric"] for r in prod["decomposition"]],
                     label="quantum metric ($\\propto 1/\\tau$)")
    axes[0].semilogy(mus, [r["metric_large_tau"] for r in prod["decomposition"]], "k:",
                     label="$-\\Sigma f_n E\\mathcal{G}_nE/(T\\tau)$")
    axes[0].set_xlabel("$\\mu$ (QWZ)")
    axes[0].set_ylabel("$\\Pi^{(2)}/E^2$")
    axes[0].set_title(f"T = {prod['T']}, $\\tau$ = {prod['tau']}")
    axes[0].legend(fontsize=8)
    for label, marker in (("metal", "o"), ("insulator", "s")):
        block = prod["approach"][label]
        fields = [r["E"] for r in block["rows"]]
        axes[1].loglog(fields, [abs(r["Pi"] / r["E"] ** 2 - block["Pi2_per_E2"]) / block["Pi2_per_E2"]
                                for r in block["rows"]], marker=marker,
                       label=f"{label}: $|\\Pi/E^2-\\Pi^{{(2)}}|/\\Pi^{{(2)}}$")
        axes[1].loglog(fields, [abs(r["Pi"] - r["JE_over_T"]) / r["JE_over_T"] + 1e-17
                                for r in block["rows"]], marker=marker, ls="--",
                       label=f"{label}: $|\\Pi - J\\cdot E/T|/\\Pi$ (exact state)")
    axes[1].set_xlabel("$E$")
    axes[1].set_ylabel("relative difference")
    axes[1].legend(fontsize=7)
    _save(figure, out / "entropy_production.svg")


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reports/entropy", help="output folder")
    out = Path(parser.parse_args(argv).out)
    out.mkdir(parents=True, exist_ok=True)
    data = {
        "symbolic": {"mott_identity": entropy.prove_mott_identity(),
                     "integral_of_s": entropy.prove_entropy_integral(),
                     "entropy_current_3_bands": entropy.prove_entropy_hall_identity(3),
                     "production_2_bands": entropy.prove_production_identity(2)},
        "nernst_versus_mu": nernst_versus_mu(),
        "low_temperature": low_temperature(),
        "onsager": onsager(),
        "production": production(),
    }
    (out / "entropy.json").write_text(json.dumps(json_safe(data), indent=1))

    _plot_nernst(data, out)
    _plot_low_temperature(data, out)
    _plot_onsager(data, out)
    _plot_production(data, out)
    return out


if __name__ == "__main__":
    print(main())
