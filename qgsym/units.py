"""Units: natural units inside (e = ħ = k_B = 1, model energy and length units), SI at the edge.

The integrals of :mod:`qgsym.identities` carry model units (velocity v = ∂ε/∂k without ħ):

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
