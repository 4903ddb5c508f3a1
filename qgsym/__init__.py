"""qgsym: a symbolic-plus-numeric derivation checker for quantum-geometric transport.

Conventions (see README): natural units e = hbar = k_B = 1 inside, carriers of charge -e,
J_i = sigma_ij E_j + sigma_ijk E_j E_k, [dk] = d^dk/(2 pi)^d.

The public API (:mod:`qgsym.api`)::

    import qgsym
    model = qgsym.load_model("haldane")
    result = qgsym.compute("sigma2", model, mu=0.9, T=0.05, formulas=["wpd", "lka"])
    result.values["wpd"]["xyy"], result.error_estimate["wpd"]["xyy"], result.converged

Everything not listed in ``__all__`` is private.
"""

__version__ = "0.1.0"  # before the imports below: lower layers read it while qgsym loads

from qgsym.api import (  # noqa: E402
    Result,
    check,
    compare_formula,
    compute,
    formula,
    load_formula,
    load_model,
    model_from_function,
    model_from_sympy,
)

__all__ = ["Result", "check", "compare_formula", "compute", "formula", "load_formula",
           "load_model", "model_from_function", "model_from_sympy", "__version__"]
