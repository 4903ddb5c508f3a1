"""A ``qgsym compute`` result over Fermi levels as a CSV table and an SVG plot (``--csv``, ``--plot``).

Both read the JSON record of ``qgsym compute`` (``mu`` a number or a list; ``values`` and
``values_si`` nested dicts whose leaves are numbers or lists aligned with ``mu``):

* CSV: one row per μ, one column per formula × component (the path of the leaf in
  ``values``, joined by ``.``: ``wpd.xyy``, ``ahc.xy``; nernst ``xy``), first in natural
  units, then, when the model has physical units, the same columns in SI; then
  ``converged``. The header row carries the unit of every column in brackets:
  ``mu [eV]``, ``wpd.xyy [natural]``, ``wpd.xyy [A m/V^2 s^-1]``.
* SVG: one panel per formula (top-level key of ``values``; one panel for a quantity whose
  components are top-level), every component that is not zero (above :data:`NOISE` of the
  formula's largest) at some level vs μ, in SI with its unit on the axis when available.
"""

from __future__ import annotations

import csv
from pathlib import Path

from qgsym.errors import QgsymError

#: A component is drawn when it exceeds this fraction of the largest of its formula somewhere
#: (components zero by symmetry come out as round-off, ~1e-16 of the largest).
NOISE = 1e-9


def _levels(record: dict) -> list[float]:
    mu = record["mu"]
    return [float(x) for x in mu] if isinstance(mu, list) else [float(mu)]


def _columns(tree, prefix=()) -> list[tuple[tuple[str, ...], list]]:
    """(path, list over levels) of every numeric leaf, in the order of the record."""
    if isinstance(tree, dict):
        return [item for key, value in tree.items() for item in _columns(value, (*prefix, key))]
    values = tree if isinstance(tree, list) else [tree]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return []  # booleans and text (e.g. the trace condition's verdicts) are not plotted
    return [(prefix, [float(v) for v in values])]


def _unit_of(units, path: tuple[str, ...]) -> str:
    """The SI unit string of a column: one string, or one per formula (top-level key)."""
    if isinstance(units, dict):
        return str(units.get(path[0], ""))
    return str(units)


def write_csv(record: dict, path, energy_unit: str = "") -> Path:
    """Write ``record`` as CSV: one row per μ (module docstring); returns the path.

    Parameters
    ----------
    record : dict
        A ``qgsym compute --json`` record.
    path : str or Path
    energy_unit : str
        The model's energy unit (``mu`` column header); empty for none.
    """
    levels = _levels(record)
    natural = _columns(record["values"])
    si = _columns(record["values_si"]) if record.get("values_si") is not None else []
    header = [f"mu [{energy_unit}]" if energy_unit else "mu"]
    header += [f"{'.'.join(p)} [natural]" for p, _ in natural]
    header += [f"{'.'.join(p)} [{_unit_of(record.get('units_si', ''), p)}]" for p, _ in si]
    converged = record.get("converged_per_mu", [record.get("converged")] * len(levels))
    if converged[0] is not None:
        header.append("converged")
    for _, values in natural + si:
        if len(values) != len(levels):
            raise QgsymError("the values are not aligned with the Fermi levels")
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for u, mu in enumerate(levels):
            row = [repr(mu)] + [repr(values[u]) for _, values in natural + si]
            if converged[0] is not None:
                row.append(str(bool(converged[u])).lower())
            writer.writerow(row)
    return path


def write_plot(record: dict, path, energy_unit: str = "") -> Path:
    """Write every formula of ``record`` vs μ as an SVG file (Agg backend); returns the path."""
    from qgsym.report.figures import plt, save_svg  # noqa: PLC0415 (slow import deferred: matplotlib only for --plot)

    path = Path(path)
    if path.suffix.lower() != ".svg":
        raise QgsymError(f"--plot writes SVG: the file name must end in .svg, got '{path}'")
    levels = _levels(record)
    use_si = record.get("values_si") is not None
    values = record["values_si"] if use_si else record["values"]
    groups = (dict(values)
              if values and all(isinstance(v, dict) for v in values.values())
              else {record.get("quantity", "values"): values})
    figure, axes = plt.subplots(len(groups), 1, figsize=(6.0, 2.0 * len(groups) + 0.6),
                                squeeze=False, sharex=True)
    for axis, (label, tree) in zip(axes[:, 0], groups.items(), strict=True):
        shown = 0
        columns = _columns(tree)
        largest = max((abs(v) for _, series in columns for v in series), default=0.0)
        for component, series in columns:
            if max(abs(v) for v in series) > NOISE * largest:
                axis.plot(levels, series, marker="." if len(levels) < 30 else None,
                          label=".".join(component) or label)
                shown += 1
        unit = _unit_of(record.get("units_si", ""), (label,)) if use_si else "natural units"
        axis.set_ylabel(f"{label} [{unit}]")
        axis.axhline(0.0, color="0.7", linewidth=0.5)
        if shown:
            axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        else:
            axis.text(0.5, 0.5, "all components zero", transform=axis.transAxes, ha="center")
    axes[-1, 0].set_xlabel(f"mu [{energy_unit}]" if energy_unit else "mu")
    figure.suptitle(f"{record.get('quantity', '')} of {record.get('model', '')}, "
                    f"T = {record.get('T')}")
    return save_svg(figure, path)
