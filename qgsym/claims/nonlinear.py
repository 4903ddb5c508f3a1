"""Claims C1–C7: seed 003's nonlinear-conductivity statements, decided with evidence.

Symbolic proofs use the identity engine (:mod:`qgsym.formulas.identities`, rules named in the
evidence); numerical confirmations use the two independent evaluation paths of
:mod:`qgsym.responses.nonlinear` (closed form vs eigh, Fermi sea vs Fermi surface).
"""

from __future__ import annotations

import functools

import numpy as np
import sympy
from sympy.physics import units as u

from qgsym.claims.base import Claim, Verdict, number_row
from qgsym.claims.seed003_derivation import claim_c3b, claim_c4, claim_c4b
from qgsym.claims.seed003_symmetry import (
    c5c_numeric_evidence,
    symmetry_claim_c5a,
    symmetry_claim_c5b,
    symmetry_claim_c5c,
    symmetry_claim_c5c_parts,
)
from qgsym.claims.toy_model import check_c6a, check_c6b, check_c6c
from qgsym.errors import QgsymError
from qgsym.formulas import formula_registry, sigma2_formulas
from qgsym.formulas.identities import (
    all_components,
    canonical_form,
    compare_components,
    formula_component,
)
from qgsym.formulas.identities import integral_symbol as symbol
from qgsym.formulas.units import dimension_ratio, sigma2_to_si
from qgsym.model.bloch import MOMENTA, bloch_model, random_momenta
from qgsym.model.loader import catalogue_names, load_model
from qgsym.responses.nonlinear import evaluate_formulas, infinite_domain_integrals, sigma2_values

SEED = "Qiang et al., Adv. Sci. 2025 (seed 003)"
#: Units of sigma^(2) values in natural units (e = hbar = 1) of the model.
SIGMA2_UNITS = "e³/ħ × (model length)/(model energy), 2D; natural units e = ħ = 1"
#: Relative tolerance for "vanishes": σ_iii of wpd is zero term by term in floating point.
ZERO_TOLERANCE = 1e-12


def _formula(key):
    return sigma2_formulas()[key]


def _component(key):
    formula = _formula(key)
    return lambda c: formula_component(formula, c)


# ---------------------------------------------------------------------------------------
# C1: σ_iii
def _iii_residuals(key) -> dict:
    out = {}
    for axis in "xyz":
        form, rules = canonical_form(formula_component(_formula(key), axis * 3))
        out[axis * 3] = (str(form), sorted(rules))
    return out


def _iii_counterexample(key, models=("tilted_dirac", "c3z_dirac", "massive_dirac", "qiang_toy",
                                     "haldane", "cumnas_like")):
    """Search catalogue models and chemical potentials for a converged nonzero σ_iii."""
    tried = []
    for name in models:
        if name not in catalogue_names():
            continue
        model = load_model(name)
        for mu in _band_chemical_potentials(model):
            for n in (120,):
                values, _ = sigma2_values(model, n, [mu], 0.01, [key, "wpd"])
                coarse, _ = sigma2_values(model, n // 2, [mu], 0.01, [key, "wpd"])
                for a, axis in enumerate(model.axes):
                    value = float(values[key][0, a, a, a])
                    error = abs(value - float(coarse[key][0, a, a, a]))
                    tried.append((name, mu, axis * 3, value, error))
                    if abs(value) > 20 * error and abs(value) > 1e-8:
                        return {
                            "model": name,
                            "parameters": dict(model.parameters),
                            "mu": mu,
                            "T": 0.01,
                            "grid": [n] * model.dimension,
                            "component": axis * 3,
                            f"{key}_value": value,
                            "wpd_value": float(values["wpd"][0, a, a, a]),
                            "grid_convergence_|N - N/2|": error,
                            "units": "natural (e = hbar = 1, model units)",
                        }
    return {"searched": [list(t) for t in tried]}


def _band_chemical_potentials(model):
    """Two chemical potentials a quarter of the way into the first conduction and the last
    valence multiplet (from random k): Fermi surfaces well inside any continuum cutoff."""

    energies = np.linalg.eigvalsh(model.hamiltonian.matrix(random_momenta(model, 400, 3)))
    middle = len(model.multiplets) // 2
    upper = energies[:, model.multiplets[middle][0]]
    lower = energies[:, model.multiplets[middle - 1][-1]]
    conduction = upper.min() + 0.25 * (np.median(upper) - upper.min())
    valence = lower.max() - 0.25 * (lower.max() - np.median(lower))
    return [float(conduction), float(valence)]


def check_c1a() -> Verdict:
    residuals = _iii_residuals("wpd")
    if any(form != "0" for form, _ in residuals.values()):
        return Verdict("refuted", {"canonical_residuals": residuals})
    numeric = {}
    for name in ("tilted_dirac", "qiang_toy", "cumnas_like", "haldane"):
        if name not in catalogue_names():
            continue
        model = load_model(name)
        mu = _band_chemical_potentials(model)[0]
        values, path = sigma2_values(model, 60, [mu], 0.02, ["wpd"])
        tensor = values["wpd"][0]
        scale = float(np.max(np.abs(tensor))) or 1.0
        numeric[name] = {
            "mu": mu, "path": path,
            "max_|sigma_iii|/max_|sigma|": float(
                max(abs(tensor[a, a, a]) for a in range(model.dimension)) / scale),
        }
    ok = all(v["max_|sigma_iii|/max_|sigma|"] <= ZERO_TOLERANCE for v in numeric.values())
    worst = max((v["max_|sigma_iii|/max_|sigma|"] for v in numeric.values()), default=0.0)
    finding = (r"The bracket of Eq. (13) at $i = j = k$ is $\partial_i\mathcal{G}^{ii} - "
               r"\frac{1}{2}(\partial_i\mathcal{G}^{ii} + \partial_i\mathcal{G}^{ii}) = 0$ "
               "term by term (proved for i = x, y, z); numerically max |sigma_iii| / max "
               f"|sigma| = {worst:.1g} on {len(numeric)} catalogue models (rounding).")
    return Verdict("proved" if ok else "inconclusive", finding=finding, evidence={
        "numbers": [number_row(f"max |sigma^WPD_iii| / max |sigma^WPD| on {name}",
                               v["max_|sigma_iii|/max_|sigma|"], "dimensionless (ratio)",
                               f"mu = {v['mu']:.4g}, T = 0.02, grid 60", ZERO_TOLERANCE)
                    for name, v in numeric.items()],
        "symbolic": "canonical form of wpd sigma_iii is 0 for i = x, y, z: "
                    "d_i G^ii - (1/2)(d_i G^ii + d_i G^ii) = 0 term by term",
        "canonical_residuals": residuals,
        "numerical_confirmation": numeric,
        "tolerance": f"{ZERO_TOLERANCE} relative: the cancellation is exact term by term, so "
                     "only rounding remains",
    })


#: sigma^X_iii = c (e^3/hbar) sum_n int[dk] f0' v^i G^ii (chain rule, integration by parts):
#: c = a - 2b of Table 1's sigma^X = a F_ijk - b (F_jik + F_kij).
IIII_COEFFICIENT_TEXT = {"lka": "1", "qk": "-3/2"}
FORMULA_NAMES = {"wpd": "WPD", "lka": "LKA", "qk": "QK"}


def _compute_command(model: str, mu: float, temperature: float, grid: int, formulas: str) -> str:
    return (f"qgsym compute sigma2 --model {model} --formula {formulas} --mu {mu:.6g} "
            f"--T {temperature:g} --grid {grid}")


def _longitudinal(key) -> Verdict:
    """C1b / C1c: the Table-1 formula ``key`` allows a longitudinal response sigma_iii.

    Seed 003 (introduction) says the LKA and QK expressions "are compatible with C_n^z and
    longitudinal response". The canonical form of sigma_iii reduces to a nonzero multiple of
    the Fermi-surface integral int f0' v^i G^ii (symbolic), and a catalogue model gives a
    converged nonzero value (numeric, two grids).
    """
    name = FORMULA_NAMES[key]
    residuals = _iii_residuals(key)
    example = _iii_counterexample(key)
    identically_zero = all(form == "0" for form, _ in residuals.values())
    evidence = {
        "symbolic_residual": residuals,
        "meaning": f"sigma_iii of {key} reduces to {IIII_COEFFICIENT_TEXT.get(key, '?')} x "
                   "(e^3/hbar) sum_n int[dk] f0' v^i G^ii (chain rule, integration by parts), "
                   "which has no reason to vanish; wpd's coefficient is 0 (C1a)",
        "example": example,
    }
    spec_note = (f"An earlier edition phrased {'C1b' if key == 'lka' else 'C1c'} as "
                 f"'sigma_iii = 0 for the {name} formula' (citing seed 003 Table 1) and refuted "
                 "it. Seed 003 never claims that: its sigma_iii = 0 (after Eq. 14) is about its "
                 f"own Eq. (13)/(14), the WPD form (C1a); of {name} it says the opposite, that "
                 "it is 'compatible with ... longitudinal response'. The claim now follows the "
                 "paper.")
    evidence["earlier_edition"] = spec_note
    if identically_zero:
        return Verdict("refuted", evidence,
                       finding=f"sigma_iii of {name} reduces to 0 identically.",
                       counterexample={"model": "tilted_dirac",
                                       "parameters": dict(load_model("tilted_dirac").parameters),
                                       "values": {"seed 003": "sigma_iii may be nonzero",
                                                  "qgsym": "sigma_iii = 0 identically"}},
                       scope_notes=(spec_note,), kind="substantive")
    if "model" not in example:
        evidence["reason"] = "no catalogue model gave a converged nonzero value"
        return Verdict("inconclusive", evidence,
                       finding=f"sigma_iii of {name} is a nonzero multiple of int f0' v^i "
                               "G^ii, but no catalogue model gave a converged nonzero value.",
                       scope_notes=(spec_note,))
    value = example[f"{key}_value"]
    error = example["grid_convergence_|N - N/2|"]
    grid = example["grid"][0]
    command = _compute_command(example["model"], example["mu"], example["T"], grid, f"{key},wpd")
    evidence["reproduce"] = command
    evidence["numbers"] = [
        number_row(f"sigma^{name}_{example['component']}", value, SIGMA2_UNITS,
                   _where(example), error),
        number_row(f"sigma^WPD_{example['component']}", example["wpd_value"], SIGMA2_UNITS,
                   _where(example), 0.0),
    ]
    coefficient = {"lka": "", "qk": r"-\frac{3}{2}"}[key]
    finding = (
        rf"$\sigma^{{\rm {name}}}_{{iii}} = {coefficient}\frac{{e^3}}{{\hbar}}\sum_n\int[d"
        r"\mathbf{k}]\, f_0' v^i_n \mathcal{G}^{ii}_n$ (proved: chain rule and integration "
        f"by parts), nonzero in general: on {example['model']} at mu = {example['mu']:.4g}, "
        f"T = {example['T']:g}, sigma^{name}_{example['component']} = {value:.4g} (grid "
        f"{grid}, |N - N/2| = {error:.1g}) while sigma^WPD = 0. {name} does allow the "
        "longitudinal response the paper says it allows.")
    return Verdict("verified", evidence, finding=finding, scope_notes=(
        spec_note,
        "QK's longitudinal response is -3/2 times LKA's (the coefficient a - 2b of Table 1: "
        "1 for LKA, -3/2 for QK, 0 for WPD); the two examples give that ratio numerically."))


def _where(example) -> str:
    grid = "x".join(str(n) for n in example["grid"])
    return (f"{example['model']} {_parameters_text(example['parameters'])}, mu = "
            f"{example['mu']:.4g}, T = {example['T']:g}, grid {grid}")


def _parameters_text(parameters) -> str:
    return "(" + ", ".join(f"{k} = {v:g}" for k, v in parameters.items()) + ")"


def check_c1b() -> Verdict:
    return _longitudinal("lka")


def check_c1c() -> Verdict:
    return _longitudinal("qk")


# ---------------------------------------------------------------------------------------
# C2: Eq. 13 (sea) == Eq. 14 (surface)
def check_c2() -> Verdict:
    result = compare_components(_component("wpd"), _component("qiang-fs"), all_components())
    numeric = {}
    for name in ("cumnas_like", "haldane", "qiang_toy"):
        if name not in catalogue_names():
            continue
        model = load_model(name)
        mu = _band_chemical_potentials(model)[0]
        n = 160 if model.lattice else 200
        sea_value, path = sigma2_values(model, n, [mu], 0.02, ["wpd"], form="sea")
        surface_value, _ = sigma2_values(model, n, [mu], 0.02, ["qiang-fs"], form="surface")
        sea_coarse, _ = sigma2_values(model, n // 2, [mu], 0.02, ["wpd"], form="sea")
        surface_coarse, _ = sigma2_values(model, n // 2, [mu], 0.02, ["qiang-fs"],
                                          form="surface")
        difference = float(np.max(np.abs(sea_value["wpd"] - surface_value["qiang-fs"])))
        convergence = max(
            float(np.max(np.abs(sea_value["wpd"] - sea_coarse["wpd"]))),
            float(np.max(np.abs(surface_value["qiang-fs"] - surface_coarse["qiang-fs"]))))
        numeric[name] = {
            "mu": mu, "T": 0.02, "grid": n, "path": path,
            "max_|sigma|": float(np.max(np.abs(sea_value["wpd"]))),
            "max_|sea - surface|": difference,
            "grid_convergence_|N - N/2|": convergence,
            "boundary_term_included": not model.lattice,
        }
    agree = all(v["max_|sea - surface|"] <= 3 * v["grid_convergence_|N - N/2|"] + 1e-10
                for v in numeric.values())
    verdict = "proved" if result.holds and agree else ("refuted" if not result.holds
                                                       else "inconclusive")
    finding = ("The Fermi-sea integrand of Eq. (13) minus the Fermi-surface integrand of Eq. "
               "(14) is a total k-derivative for every component (proved by the identity "
               "engine: chain rule, integration by parts); numerically sea and surface agree "
               f"within 3x the grid-convergence estimate on {len(numeric)} models.")
    numbers = [number_row(f"max |sea - surface| on {name}", v["max_|sea - surface|"],
                          SIGMA2_UNITS, f"mu = {v['mu']:.4g}, T = 0.02, grid {v['grid']}; "
                          f"max |sigma| = {v['max_|sigma|']:.3g}",
                          v["grid_convergence_|N - N/2|"]) for name, v in numeric.items()]
    counterexample = None
    if verdict == "refuted":
        counterexample = {"model": "symbolic (any band structure)", "parameters": {},
                          "values": {"Eq. (13) - Eq. (14)": str(result.evidence()),
                                     "expected": "0"}}
    return Verdict(verdict, finding=finding, counterexample=counterexample,
                   kind="substantive" if verdict == "refuted" else None,
                   scope_notes=("On a continuum model the sea integral over |k_i| <= cutoff "
                                "has its boundary flux removed, so both forms estimate the "
                                "integral over the plane (the paper's integration by parts "
                                "assumes no boundary).",), evidence={
        "numbers": numbers,
        **result.evidence(),
        "numerical_confirmation": numeric,
        "tolerance": "sea and surface agree within 3x the grid-convergence estimate |I(N) - "
                     "I(N/2)| (they are different quadratures of the same integral)",
    })


# ---------------------------------------------------------------------------------------
# C3: LKA + occupation correction + energy renormalization == WPD
#: C3 and C8f point to each other: "gives WPD" depends on the relaxation target.
C3_C8F_NOTE = (
    "See C8f. C3 holds with seed 003's semiclassical velocity (Eq. 8) and the occupation "
    "f0(eps + (e/2) E.G.E) of Eq. (7): LKA + corrections = WPD. C8f finds that in a "
    "density-matrix kinetics, relaxing toward that same shifted occupation need not give WPD: "
    "with the Stark-shifted target f0(eps + Delta) the tau^0 result is (a, b) = (0, 1/2), with "
    "bare f0(eps) (1/2, 1/2), and only the Moyal energy density f0(eps - Delta) gives WPD "
    "(1, 1/2) (there the band velocity is d(eps - Delta)). 'Gives WPD' depends on the "
    "relaxation target; C3's statement is about the semiclassical construction of section 5.1.")
def _c3_corrected_lka(component):
    e, hbar = sympy.symbols("e hbar", positive=True)
    i, j, k = component
    lka = formula_component(_formula("lka"), component)
    # bare-energy renormalization eps -> eps - (e/2) E.G.E with G = e G_metric enters the
    # velocity d_i eps / hbar: J_i gains -e int f0 d_i(-(e^2/2) G^jk)/hbar E_j E_k
    energy = e**3 / (2 * hbar) * symbol("f0", "metric", f"{i}{j}{k}")
    # occupation f0(eps~) = f0 + (e/2) E.G.E f0' enters J_i = -e int v_i f
    occupation = -(e**3) / (2 * hbar) * symbol("f0prime", "metric", f"{i}{j}{k}")
    return lka + energy + occupation


def check_c3() -> Verdict:
    result = compare_components(_c3_corrected_lka, _component("wpd"), all_components())
    numeric = {}
    model = load_model("tilted_dirac")
    mu = 0.2
    # grid 640: the Fermi shell (width T/v = 0.01) is resolved by ~2 points; measured
    # max|sea + surface| = 5e-3 (N = 160), 3e-5 (N = 320), 7e-10 (N = 640)
    sea, surface, info = infinite_domain_integrals(model, 640, [mu], 0.01)
    path = info["path"]

    values = evaluate_formulas(["lka", "wpd"], sea, surface, model.axes)
    correction = 0.5 * sea["metric"][0] - 0.5 * surface["metric"][0]  # e = hbar = 1
    corrected = values["lka"][0] + correction
    numeric = {
        "model": model.name, "mu": mu, "T": 0.01, "grid": 640, "path": path,
        "max_|lka + corrections - wpd|": float(np.max(np.abs(corrected - values["wpd"][0]))),
        "max_|lka - wpd|": float(np.max(np.abs(values["lka"][0] - values["wpd"][0]))),
        "note": "corrections use the sea integral for the energy term and the surface integral "
                "for the occupation term: two independent quadratures (continuum: sea integral "
                "with the cutoff boundary flux removed)",
    }
    finding = (r"LKA + the energy renormalization $+\frac{e^3}{2\hbar}\int f_0\,\partial_i"
               r"\mathcal{G}^{jk}$ + the occupation correction $-\frac{e^3}{2\hbar}\int "
               r"f_0' v^i \mathcal{G}^{jk}$ equals WPD for every component (proved); on "
               f"tilted_dirac (mu = {mu}, T = 0.01, grid 640) max |LKA + corrections - WPD| = "
               f"{numeric['max_|lka + corrections - wpd|']:.1g} against max |LKA - WPD| = "
               f"{numeric['max_|lka - wpd|']:.3g}.")
    return Verdict("proved" if result.holds else "refuted", finding=finding, scope_notes=(
        C3_C8F_NOTE,), counterexample=None if result.holds else {
            "model": "symbolic (any band structure)", "parameters": {},
            "values": {"LKA + corrections - WPD": str(result.evidence()), "expected": "0"}},
        kind=None if result.holds else "substantive", evidence={
        "numbers": [
            number_row("max |LKA + corrections - WPD|",
                       numeric["max_|lka + corrections - wpd|"], SIGMA2_UNITS,
                       "tilted_dirac, mu = 0.2, T = 0.01, grid 640"),
            number_row("max |LKA - WPD| (what the corrections remove)",
                       numeric["max_|lka - wpd|"], SIGMA2_UNITS,
                       "tilted_dirac, mu = 0.2, T = 0.01, grid 640")],
        "see_also": C3_C8F_NOTE,
        **result.evidence(),
        "corrections": {
            "energy_renormalization": "+(e^3/2hbar) sum int f0 d_i G^jk (from eps - (e/2)E.G.E "
                                      "in the velocity)",
            "occupation": "-(e^3/2hbar) sum int f0' v^i G^jk (from f0(eps + (e/2)E.G.E))",
            "sum": "each equals (e^3/2hbar) int f0 d_i G^jk after integration by parts; together "
                   "they turn the coefficient 2 of lka into the 1 of wpd",
        },
        "numerical_confirmation": numeric,
    })


# ---------------------------------------------------------------------------------------
def _c5c_part(part: str):
    def check() -> Verdict:
        return symmetry_claim_c5c_parts()[part]

    return check


def check_c5c_numeric() -> Verdict:
    """C5c on the C3z-symmetric catalogue model: wpd in-plane = 0, qk = -(3/2) lka."""

    evidence = dict(c5c_numeric_evidence())
    where = (f"{evidence['model']} {_parameters_text(evidence['parameters'])}, mu = "
             f"{evidence['mu']}, T = {evidence['T']}, grids {evidence['grids']}")
    wpd = evidence["max_abs_wpd_in_plane_over_scale"]
    ratio = evidence["max_abs_qk_plus_1.5_lka_over_scale"]
    evidence["numbers"] = [
        number_row("max |sigma^WPD in-plane| / max |D|", wpd, "dimensionless (ratio)", where,
                   evidence["relative_tolerance"]),
        number_row("max |sigma^QK + (3/2) sigma^LKA| / max |D|", ratio,
                   "dimensionless (ratio)", where, evidence["relative_tolerance"]),
        number_row("sigma^LKA_xxx", evidence["formulas"]["lka"]["components"]["xxx"],
                   SIGMA2_UNITS + " (Fermi-surface form, prefactor e^3 omitted)", where),
    ]
    if evidence["confirmed"]:
        return Verdict("verified", evidence, finding=(
            f"On c3z_dirac, in-plane WPD = 0 ({wpd:.1g} relative) and QK = -(3/2) LKA "
            f"({ratio:.1g} relative) with LKA nonzero, no selection rule violated."))
    return Verdict("inconclusive", evidence, finding=(
        "The numbers on c3z_dirac do not confirm the prediction within the tolerance: "
        f"WPD in-plane {wpd:.2g}, |QK + 3/2 LKA| {ratio:.2g} relative."), scope_notes=(
        "A failure here would question the numerics or the model's symmetry before the "
        "proved algebra of C5c.1 and C5c.2.",))


@functools.cache
def _dimension_table() -> dict:
    """Registry key -> {"d=1": ..., "d=2": ..., "d=3": ...}: "consistent", "inconsistent:
    <ratio>" or "not checked: <why>" (entries the unit engine cannot reduce)."""


    table = {}
    for key, formula in formula_registry().items():
        row = {}
        for d in (1, 2, 3):
            try:
                ratio = dimension_ratio(formula, d)
            except QgsymError as error:
                row[f"d={d}"] = f"not checked: {error}"
                continue
            row[f"d={d}"] = ("consistent" if not ratio.atoms(u.Quantity)
                             else f"inconsistent: {ratio}")
        table[key] = row
    return table


def _si_examples() -> dict:
    examples = {}
    model = load_model("qiang_toy")
    values, _ = sigma2_values(model, 200, [0.25], 0.005, ["wpd"])
    natural = float(values["wpd"][0, 0, 1, 1])
    examples["2D qiang_toy wpd sigma_xyy (eps_F = 0.25 eV, T = 5 meV, grid 200)"] = {
        "natural": natural,
        "SI_A_m_per_V2": sigma2_to_si(natural, _formula("wpd"), 2, model.units),
    }
    model3 = _model_3d()
    values3, _ = sigma2_values(model3, 40, [0.3], 0.02, ["wpd"])
    natural3 = float(values3["wpd"][0, 0, 1, 1])
    examples["3D tilted Weyl-like test model wpd sigma_xyy (mu = 0.3 eV, grid 40^3)"] = {
        "natural": natural3,
        "SI_A_per_V2": sigma2_to_si(natural3, _formula("wpd"), 3, model3.units),
        "model": model3.summary()["hamiltonian"],
    }
    return examples


C7_METHOD = ("prefactor(e, hbar, tau) x unit of the integral, reduced to SI base units with "
             "sympy.physics.units; consistent = the ratio to A m^(3-d)/V^2 is a pure number")


def _c7_part(keys, label: str) -> Verdict:
    """Dimensional consistency of the registry entries ``keys`` (a C7 part)."""
    table = {key: row for key, row in _dimension_table().items() if key in keys}
    inconsistent = {k: r for k, r in table.items()
                    if any(v.startswith("inconsistent") for v in r.values())}
    unchecked = {k: r for k, r in table.items()
                 if any(v.startswith("not checked") for v in r.values())}
    evidence = {"method": C7_METHOD, "table": table}
    if inconsistent:
        key, row = next(iter(inconsistent.items()))
        return Verdict("refuted", evidence, kind="substantive",
                       finding=f"{len(inconsistent)} {label} are not dimensionally consistent: "
                               f"{', '.join(inconsistent)}.",
                       counterexample={"model": f"registry formula {key}", "parameters": {},
                                       "values": {"expected": "A m^(3-d)/V^2 (x s^-p)",
                                                  **row}})
    if unchecked:
        return Verdict("inconclusive", evidence, finding=(
            f"The unit engine (qgsym.formulas.units, written for sigma^(2) integrals of band "
            f"primitives) cannot reduce the {len(unchecked)} {label} "
            f"({', '.join(unchecked)}): their dimensions are not checked."), scope_notes=(
            "Not a finding against the entries: their prefactors and units are recorded in the "
            "registry (`qgsym formulas show KEY`) but no engine reduces them to SI yet.",))
    return Verdict("proved", evidence, finding=(
        f"All {len(table)} {label} reduce to A m^(3-d)/V^2 (times s^-p for the coefficient of "
        "tau^p) in d = 1, 2, 3."))


def check_c7_sigma2() -> Verdict:
    return _c7_part(set(sigma2_formulas()), "sigma^(2) registry entries")


def check_c7_other() -> Verdict:
    return _c7_part(set(_dimension_table()) - set(sigma2_formulas()),
                    "other registry entries (linear, flat-band Kubo, Moyal-slide)")


def check_c7() -> Verdict:
    """C7 from its parts: every registry entry (C7.1 sigma^(2), C7.2 the others)."""
    parts = {"C7.1": check_c7_sigma2(), "C7.2": check_c7_other()}
    verdicts = {key: part.verdict for key, part in parts.items()}
    if "refuted" in verdicts.values():
        verdict = "refuted"
    elif all(v == "proved" for v in verdicts.values()):
        verdict = "proved"
    else:
        verdict = "inconclusive"
    examples = _si_examples()
    si = examples["2D qiang_toy wpd sigma_xyy (eps_F = 0.25 eV, T = 5 meV, grid 200)"]
    numbers = [number_row("sigma^WPD_xyy, qiang_toy (2D)", si["natural"],
                          "e³/ħ × nm/eV (natural units)", "eps_F = 0.25 eV, T = 5 meV, grid 200"),
               number_row("the same in SI", si["SI_A_m_per_V2"], "A m/V^2",
                          "sigma2_to_si of qgsym.formulas.units")]
    refuted = [parts[k] for k, v in verdicts.items() if v == "refuted"]
    return Verdict(
        verdict, finding=" ".join(f"{key}: {part.finding}" for key, part in parts.items()),
        counterexample=refuted[0].counterexample if refuted else None,
        kind=refuted[0].kind if refuted else None,
        evidence={"numbers": numbers, "method": C7_METHOD, "parts": verdicts,
                  "table": _dimension_table(), "si_examples": examples})


def _model_3d():
    kx, ky, kz = MOMENTA
    t, v, m, b = (sympy.Rational(1, 10), 1, sympy.Rational(1, 10), 1)
    dz = m - b * (kx**2 + ky**2 + kz**2) + v * kz / 2
    matrix = sympy.Matrix([[t * kx + dz, v * (kx - sympy.I * ky)],
                           [v * (kx + sympy.I * ky), t * kx - dz]])
    return bloch_model("tilted_3d_test", matrix, {}, dimension=3, lattice=False, cutoff=2.0,
                       units={"energy": "eV", "length": "nm"},
                       description="3D two-band T-broken test model for unit conversion")


CLAIMS = (
    Claim("C1a", "sigma_iii = 0 for the WPD formula (seed 003, after Eq. 14)", check_c1a, SEED),
    Claim("C1b", "the LKA formula (Table 1) allows a longitudinal response sigma_iii != 0 "
          "(seed 003: LKA is 'compatible with ... longitudinal response')", check_c1b,
          SEED + " introduction"),
    Claim("C1c", "the QK formula (Table 1) allows a longitudinal response sigma_iii != 0 "
          "(seed 003: QK is 'compatible with ... longitudinal response')", check_c1c,
          SEED + " introduction"),
    Claim("C2", "Eq. 13 (Fermi sea) equals Eq. 14 (Fermi surface) by integration by parts",
          check_c2, SEED),
    Claim("C3", "LKA with the Fermi-sea occupation correction and the bare-energy "
          "renormalization equals WPD (section 5.1)", check_c3, SEED + " section 5.1"),
    Claim("C3b", "QK differs from Eq. (13) because Ref. [39] adopts a 'modified scattering "
          "time tau/2' for certain density-matrix contributions (seed 003 section 5.2, hedged: "
          "'likely', 'seems')",
          claim_c3b, SEED + " section 5.2"),
    Claim("C4", "Eq. 10-13 follow from Eq. 5, 7, 8, 9 by expanding J = -e sum int v f to O(E^2)",
          claim_c4, SEED + " sections 2-3"),
    Claim("C4b", "the Luttinger-Kohn generator (Eq. 19) satisfies its elimination condition and "
          "Eq. 17-18 give Eq. 5 and Eq. 7", claim_c4b, SEED + " section 4"),
    Claim("C5a", "PT kills the Berry curvature dipole but not the WPD quantum-metric term",
          symmetry_claim_c5a, SEED),
    Claim("C5b", "T kills wpd, lka and qk", symmetry_claim_c5b, SEED),
    Claim("C5c", "n = 3 only: under C_3z, wpd has no in-plane response while lka and qk may "
          "(for n = 2, 4, 6 no formula responds in-plane: C5c.3)",
          symmetry_claim_c5c, SEED,
          outside_statement=("C5c.3",)),
    Claim("C5c.1", "wpd has no in-plane response under C_nz, n = 2, 3, 4, 6",
          _c5c_part("C5c.1"), SEED),
    Claim("C5c.2", "lka and qk may respond in-plane under C_3z", _c5c_part("C5c.2"), SEED),
    Claim("C5c.3", "lka and qk are compatible with C_nz for n = 2, 4, 6 (in-plane)",
          _c5c_part("C5c.3"), SEED),
    Claim("C5c.4", "numerically on c3z_dirac: in-plane wpd = 0 and qk = -(3/2) lka, no rule "
          "violated", check_c5c_numeric, SEED),
    Claim("C6a", "the toy model (Eq. 20) is PT-symmetric and breaks C_nz, P and T",
          check_c6a, SEED + " Eq. 20"),
    Claim("C6b", "toy-model bands are eps = +-sqrt(v^2 k^2 + (m - b k^2 + t k_x)^2), doubly "
          "degenerate", check_c6b, SEED + " Eq. 20"),
    Claim("C6c", "sigma^qm_xy = 0 at t = 0 and grows with t (Fig. 2c)",
          check_c6c, SEED + " Fig. 2c"),
    Claim("C7", "every registry entry is dimensionally consistent", check_c7, "SPEC"),
    Claim("C7.1", "every sigma^(2) entry of the registry is dimensionally consistent "
          "(d = 1, 2, 3)", check_c7_sigma2, "SPEC"),
    Claim("C7.2", "every other registry entry (linear, flat-band Kubo, Moyal-slide) is "
          "dimensionally consistent", check_c7_other, "SPEC"),
)
