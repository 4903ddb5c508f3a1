"""Units: natural units inside (e = ħ = k_B = 1, model energy and length units), SI at the edge.

The integrals of :mod:`qgsym.formulas.identities` carry model units (velocity v = ∂ε/∂k without ħ):

=========  ====================================  ============================
primitive  integral sea/surface[X]_abc           unit (d dimensions)
=========  ====================================  ============================
metric     ∫[dk] f₀ ∂_a 𝒢^{bc}                  L^(3-d) / E
curvature  ∫[dk] f₀ ∂_a Ω^{bc}                  L^(3-d)
mass       ∫[dk] f₀ ∂_a∂_b∂_c ε                 E · L^(3-d)
=========  ====================================  ============================

and every ħ, e, τ sits in a formula's prefactor, so the SI value of a formula is
(number computed with e = ħ = τ = 1) × prefactor(e, ħ, τ = 1 s) × integral unit.
"""

from __future__ import annotations

import scipy.constants as constants
import sympy
from sympy.physics import units as u

from qgsym.errors import QgsymError
from qgsym.formulas import sigma2_formulas
from qgsym.formulas.base import E_CHARGE, HBAR, TAU

ENERGY_UNITS = {"eV": constants.electron_volt, "meV": 1e-3 * constants.electron_volt,
                "J": 1.0, "Ry": constants.physical_constants["Rydberg constant times hc in J"][0]}
LENGTH_UNITS = {"nm": 1e-9, "m": 1.0, "Angstrom": 1e-10, "A": 1e-10, "um": 1e-6,
                "bohr": constants.physical_constants["Bohr radius"][0]}
INTEGRAL_POWERS = {"metric": (-1, 3), "curvature": (0, 3), "mass": (1, 3)}  # (E power, L base)


def integral_dimension(primitive: str, dimension: int, energy, length):
    """Unit of sea/surface[primitive] as a product of the given energy and length units."""
    energy_power, length_base = INTEGRAL_POWERS[primitive]
    return energy**energy_power * length ** (length_base - dimension)


def formula_si_dimension(formula, dimension: int) -> sympy.Expr:
    """prefactor(e, ħ, τ) × integral unit, in sympy.physics.units (J, m, C, s)."""
    primitives = {t.primitive for t in formula.terms}
    if formula.component_builder is not None:
        primitives |= {"curvature"}
    if len(primitives) != 1:
        raise QgsymError(f"formula '{formula.key}' mixes primitives {sorted(primitives)}")
    prefactor = formula.prefactor.xreplace(
        {E_CHARGE: u.elementary_charge, HBAR: u.hbar, TAU: u.second})
    if formula.component_builder is not None:
        prefactor = u.elementary_charge**3 * u.second / u.hbar**2
    return prefactor * integral_dimension(primitives.pop(), dimension, u.joule, u.meter)


def expected_sigma2_dimension(dimension: int, tau_power: int = 0) -> sympy.Expr:
    """A m^(3-d) / V² × s^(τ power) (the coefficient of τ^p multiplied by 1 s^p)."""
    return u.ampere * u.meter ** (3 - dimension) / u.volt**2


def dimension_ratio(formula, dimension: int) -> sympy.Expr:
    """formula SI dimension / expected one, reduced to SI base units (a pure number if consistent)."""
    ratio = formula_si_dimension(formula, dimension) / expected_sigma2_dimension(dimension)
    return u.convert_to(ratio, [u.kilogram, u.meter, u.second, u.ampere]).simplify()


def sigma2_to_si(value: float, formula, dimension: int, units) -> float:
    """Convert a natural-unit σ^(2) (model energy/length units) to SI A·m^(3-d)/V².

    For τ-dependent entries the value is the coefficient of τ^p with τ in s.
    """
    energy = ENERGY_UNITS.get(units.get("energy", ""))
    length = LENGTH_UNITS.get(units.get("length", ""))
    if energy is None or length is None:
        raise QgsymError(f"no SI conversion for units {dict(units)} (known energy: "
                         f"{', '.join(ENERGY_UNITS)}; length: {', '.join(LENGTH_UNITS)})")
    primitives = {t.primitive for t in formula.terms} or {"curvature"}
    prefactor = float(formula.prefactor.xreplace(
        {E_CHARGE: constants.e, HBAR: constants.hbar, TAU: 1.0}))
    if formula.component_builder is not None:
        prefactor = constants.e**3 / constants.hbar**2
    unit = integral_dimension(primitives.pop(), dimension, energy, length)
    # the natural-unit number already contains the sign and rational coefficients of the
    # prefactor (evaluated at e = hbar = tau = 1); remove them once:
    natural = float(formula.prefactor.xreplace({E_CHARGE: 1, HBAR: 1, TAU: 1}))
    if formula.component_builder is not None:
        natural = 1.0
    return value / natural * prefactor * unit


# ---------------------------------------------------------------------------------------------
# SI values of `qgsym compute` results (JSON ``values_si`` / ``units_si``)
# ---------------------------------------------------------------------------------------------


def model_unit_scales(units) -> tuple[float, float] | None:
    """(energy unit in J, length unit in m) of a model, or None when either is not physical."""
    energy = ENERGY_UNITS.get(units.get("energy", ""))
    length = LENGTH_UNITS.get(units.get("length", ""))
    if energy is None or length is None:
        return None
    return energy, length


def si_factor(units, *, charge=0, hbar=0, boltzmann=0, energy=0, length=0) -> float:
    """e^charge ħ^hbar k_B^boltzmann E^energy L^length in SI, E and L the model's units in J, m.

    A natural-unit number (e = ħ = k_B = 1, energies in E, lengths in L) whose physical
    dimension is e^a ħ^b k_B^c E^p L^q becomes SI when multiplied by this factor.
    """
    scales = model_unit_scales(units)
    if scales is None:
        raise QgsymError(f"no SI conversion for units {dict(units)}")
    energy_unit, length_unit = scales
    return (constants.e**charge * constants.hbar**hbar * constants.k**boltzmann
            * energy_unit**energy * length_unit**length)


def unit_string(numerator: str, denominator: str, length_power: int, tau_power: int = 0) -> str:
    """SI unit text, e.g. ("S", "", -1) -> "S/m", ("A", "V^2", 1) -> "A m/V^2".

    A τ^p coefficient (``tau_power`` p > 0) carries " s^-p".
    """
    top = numerator.split()
    bottom = denominator.split()
    if length_power:
        power = abs(length_power)
        (top if length_power > 0 else bottom).append("m" if power == 1 else f"m^{power}")
    text = " ".join(top) or "1"
    if len(bottom) == 1:
        text += f"/{bottom[0]}"
    elif bottom:
        text += f"/({' '.join(bottom)})"
    return text + (f" s^-{tau_power}" if tau_power else "")


def _conductivity(units, d: int, tau_power: int) -> tuple[float, str]:
    """σ_ij (or its τ^p coefficient) = e²/ħ^(1+p) E^p L^(2-d) × natural number; S m^(2-d)."""
    factor = si_factor(units, charge=2, hbar=-1 - tau_power, energy=tau_power, length=2 - d)
    return factor, unit_string("S", "", 2 - d, tau_power)


def _sigma2(units, d: int, key: str) -> tuple[float, str]:
    """σ_ijk of registry formula ``key``: A m^(3-d)/V² (τ^p coefficient: s^-p)."""
    formula = sigma2_formulas()[key]
    return (sigma2_to_si(1.0, formula, d, units),
            unit_string("A", "V^2", 3 - d, formula.tau_power))


def _geometric(units, d: int) -> tuple[float, str]:
    """∫[dk] Ω or ∫[dk] g (length² per length^d): L^(2-d)."""
    return si_factor(units, length=2 - d), unit_string("", "", 2 - d)


#: quantity -> rule(units, d, key, tau_power) -> (factor, unit); ``key`` is the top-level
#: key of ``values`` for per-formula quantities (None when one rule covers all values).
_RULES = {
    "bands": lambda units, d, key, p: (si_factor(units, energy=1), "J"),
    "chern": lambda units, d, key, p: (1.0, "1"),
    "berry-curvature": lambda units, d, key, p: _geometric(units, d),
    "quantum-metric": lambda units, d, key, p: _geometric(units, d),
    "sigma1": lambda units, d, key, p: _conductivity(units, d, p),
    "sigma-kubo": lambda units, d, key, p: _conductivity(units, d, 0),
    "sigma2": lambda units, d, key, p: _sigma2(units, d, key),
    "sigma11": lambda units, d, key, p: (
        si_factor(units, charge=2, hbar=-1, length=3 - d), unit_string("S", "", 3 - d)),
    "seebeck": lambda units, d, key, p: (si_factor(units, boltzmann=1, charge=-1), "V/K"),
    "nernst": lambda units, d, key, p: (
        si_factor(units, charge=1, boltzmann=1, hbar=-1, length=2 - d),
        unit_string("A", "K", 2 - d)),
}

#: quantities whose ``values`` are keyed by formula (each its own rule and τ power).
_PER_FORMULA = {"sigma1", "sigma2", "sigma11"}


def _scaled(value, factor: float):
    """``value`` (number, or nested dict / list of numbers) times ``factor``, same shape."""
    if isinstance(value, dict):
        return {key: _scaled(item, factor) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scaled(item, factor) for item in value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QgsymError(f"cannot convert {value!r} to SI")
    return float(value) * factor


def si_values(result: dict, model, quantity: str) -> dict:
    """``values_si`` and ``units_si`` of a ``qgsym compute`` result, or {} without SI units.

    Parameters
    ----------
    result : dict
        The output so far, with ``values`` in natural units (e = ħ = k_B = 1, the model's
        energy and length units) and, for τ-dependent quantities, ``tau_power``.
    model : BlochModel or NumericModel
        Its ``units`` (energy, length) and ``dimension`` d fix the conversion.
    quantity : str

    Returns
    -------
    dict
        {} when the model's units are not physical (e.g. "t", "lattice constant");
        otherwise ``values_si`` (same shape as ``values``) and ``units_si`` (one string, or
        one per formula for sigma1, sigma2, sigma11), or ``si_notes`` when no rule exists.

    Notes
    -----
    One rule per quantity (natural number × e^a ħ^b k_B^c E^p L^q):

    * bands: E → J; chern: 1; berry-curvature, quantum-metric ∫[dk]: L^(2-d) → m^(2-d);
    * σ_ij (sigma1, sigma-kubo) τ^p coefficient: e²/ħ^(1+p) E^p L^(2-d) → S m^(2-d) s^-p;
    * σ_ijk (sigma2): the formula's prefactor with τ = 1 s times its integral unit
      (:func:`sigma2_to_si`) → A m^(3-d)/V² s^-p;
    * sigma11: e²/ħ L^(3-d) → S m^(3-d); seebeck: k_B/e → V/K;
      nernst: e k_B/ħ L^(2-d) → A m^(2-d)/K.
    """
    if model_unit_scales(model.units) is None:
        return {}
    if quantity not in _RULES:
        return {"si_notes": f"no SI conversion rule for '{quantity}' yet"}
    rule = _RULES[quantity]
    d = model.dimension
    values = result["values"]
    if quantity not in _PER_FORMULA:
        factor, unit = rule(model.units, d, None, 0)
        return {"values_si": _scaled(values, factor), "units_si": unit}
    powers = result.get("tau_power", 0)
    values_si, units_si = {}, {}
    for key, value in values.items():
        power = powers.get(key, 0) if isinstance(powers, dict) else int(powers)
        factor, units_si[key] = rule(model.units, d, key, power)
        values_si[key] = _scaled(value, factor)
    return {"values_si": values_si, "units_si": units_si}
