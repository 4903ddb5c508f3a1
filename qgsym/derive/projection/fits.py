"""Power-law fits of the projection errors.

Part of :mod:`qgsym.derive.projection` (see its docstring for the physics and sources).
"""

from __future__ import annotations

import numpy as np

from qgsym.errors import QgsymError

__all__ = [
    "power_law_exponent",
]


def power_law_exponent(x: np.ndarray, y: np.ndarray) -> dict:
    """Least-squares slope of log|y| against log x, and the local slopes between points."""
    x = np.asarray(x, dtype=float)
    y = np.abs(np.asarray(y, dtype=float))
    if np.any(x <= 0) or np.any(y <= 0):
        raise QgsymError("power-law fit needs positive abscissae and non-zero errors")
    logx, logy = np.log(x), np.log(y)
    slope, intercept = np.polyfit(logx, logy, 1)
    local = np.diff(logy) / np.diff(logx)
    return {"exponent": float(slope), "prefactor": float(np.exp(intercept)),
            "local_exponents": local.tolist()}
