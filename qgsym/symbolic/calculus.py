"""Variational calculus on SymPy expressions: the Euler operator (one copy for every engine).

An integrand L[u] integrates to zero for every u (it is a total derivative) exactly when its
Euler operator vanishes; for L linear in u, E_u(L) is the kernel K with ∫L = ∫u·K (every
derivative of u moved onto the rest by parts). Used by the seed-003 re-derivation
(:mod:`qgsym.derive.perturbation`), the Moyal kinetics (:mod:`qgsym.derive.moyal_kinetics`)
and the C8b adjointness check (:mod:`qgsym.claims.moyal`).
"""

from __future__ import annotations

import sympy


def euler_operator(expression: sympy.Expr, function: sympy.Expr) -> sympy.Expr:
    """Variational derivative of ∫``expression`` with respect to the field ``function``.

    .. math::
        \\mathsf E_u(L) = \\sum_\\alpha (-D)^\\alpha \\frac{\\partial L}{\\partial u_\\alpha}

    The field and each of its derivatives u_α occurring in ``expression`` are replaced at once
    by independent placeholders (the jet variables), L is differentiated with respect to each,
    and the total derivative D^α is applied with the sign (−1)^|α|. ``expression`` may contain
    ``function`` inside other functions (f₀(u)) and derivatives of any order.
    """
    atoms = [function] + sorted(
        {d for d in expression.atoms(sympy.Derivative) if d.expr == function}, key=sympy.srepr)
    placeholders = {atom: sympy.Dummy("u") for atom in atoms}
    back = {symbol: atom for atom, symbol in placeholders.items()}
    jet_expression = expression.xreplace(placeholders)
    total = sympy.S.Zero
    for atom, symbol in placeholders.items():
        partial = sympy.diff(jet_expression, symbol)
        if partial == 0:
            continue
        partial = partial.xreplace(back)
        variables = atom.variables if isinstance(atom, sympy.Derivative) else ()
        total += (-1) ** len(variables) * (sympy.diff(partial, *variables) if variables
                                           else partial)
    return sympy.expand(total.doit())
