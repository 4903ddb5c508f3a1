"""The model catalogue (TOML files shipped here) and the TOML loader.

``load_model(name_or_path)`` accepts a catalogue name (``qwz``), a path to a ``.toml`` model
file, or a Wannier90 ``*_hr.dat`` / ``*_tb.dat`` file (numeric lattice model). Model files
are data: every entry goes through the whitelist parser :func:`qgsym.model.expr.parse_expression`.

Names and paths (:func:`is_model_path`): an argument is a path only when it contains a path
separator (``./qwz``, ``models/x.toml``) or names an existing file with a model suffix
(:data:`MODEL_SUFFIXES`); anything else is a catalogue name. So a folder or file ``qwz`` in
the working directory never shadows the catalogue model; a regular file named exactly like
a catalogue model makes the name ambiguous and is refused with one line naming both.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import sympy

from qgsym.cache import CacheError
from qgsym.errors import ModelError, QgsymError
from qgsym.model.bloch import MOMENTA, BlochModel, SymmetryOperator, bloch_model
from qgsym.model.expr import parse_expression

#: File names ending so are model files (TOML, Wannier90 ``_hr.dat`` / ``_tb.dat``).
MODEL_SUFFIXES = (".toml", "_hr.dat", "_tb.dat", ".dat")

_TOP_LEVEL_KEYS = {
    "name", "description", "source", "dimension", "lattice", "cutoff", "reciprocal",
    "units", "parameters", "hamiltonian", "symmetry", "broken_symmetry", "notes",
}


def catalogue_names() -> list[str]:
    """Names of the shipped models, sorted."""
    folder = resources.files("qgsym.model.catalogue")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_model(
    name_or_path: str | Path,
    overrides: Mapping[str, float] | None = None,
    lattice: str | None = None,
    interpolation: str | None = None,
):
    """Load a catalogue model or a model file, then apply parameter ``overrides``.

    Parameters
    ----------
    name_or_path : str or Path
        Catalogue name, path to a TOML model file, or path to a Wannier90 ``_hr.dat`` or
        ``_tb.dat`` file (which is which: :func:`is_model_path`).
    overrides : Mapping[str, float], optional
        Parameter values replacing the file's (``--set``).
    lattice, interpolation : str, optional
        Wannier90 files only (``--lattice``, ``--interpolation``): see
        :func:`qgsym.model.wannier90.numeric_model_from_wannier`.

    Returns
    -------
    BlochModel (TOML) or the Wannier90 numeric model.

    Raises
    ------
    ModelError
        Unknown model, missing or unreadable file, invalid TOML, invalid model.
    """
    text_name = str(name_or_path)
    path = Path(text_name)
    if is_model_path(text_name):
        model = _load_file(path, text_name, lattice, interpolation)
    elif text_name in catalogue_names():
        if _is_file(path):
            raise ModelError(
                f"'{text_name}' is both a catalogue model and a file here; write "
                f"./{text_name} for the file, or run from another folder for the catalogue model")
        source = resources.files("qgsym.model.catalogue") / f"{text_name}.toml"
        data = _parse_toml(source.read_text(encoding="utf-8"), text_name)
        model = model_from_mapping(data, where=text_name, path=f"catalogue:{text_name}")
    elif text_name.endswith(MODEL_SUFFIXES):
        raise ModelError(f"model file '{text_name}' does not exist")
    else:
        hint = f"; for the file of that name write ./{text_name}" if _is_file(path) else ""
        raise ModelError(f"unknown model '{text_name}' (catalogue: "
                         f"{', '.join(catalogue_names())}; a path needs a model suffix "
                         f"{'/'.join(MODEL_SUFFIXES)} or a '/'){hint}")
    if (lattice is not None or interpolation is not None) and isinstance(model, BlochModel):
        raise ModelError("--lattice and --interpolation apply to Wannier90 files only")
    if overrides:
        model = model.with_parameters(overrides)
    return model


def is_model_path(text: str) -> bool:
    """Whether a ``--model`` argument is a path rather than a catalogue name.

    True when ``text`` contains a path separator, or names an existing file whose name ends
    with one of :data:`MODEL_SUFFIXES`.
    """
    separators = {os.sep, os.altsep or os.sep, "/"}
    if any(separator in text for separator in separators):
        return True
    return text.endswith(MODEL_SUFFIXES) and _is_file(Path(text))


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # e.g. a name with a NUL byte
        return False


def _load_file(path: Path, text_name: str, lattice: str | None, interpolation: str | None):
    """A model file: Wannier90 ``.dat`` (numeric model) or TOML (any other name)."""
    if not _is_file(path):
        what = "is a folder, not a model file" if path.is_dir() else "does not exist"
        raise ModelError(f"model file '{text_name}' {what}")
    if path.suffix == ".dat":
        from qgsym.model.wannier90 import numeric_model_from_wannier  # noqa: PLC0415 (deferred: wannier90 (~20 ms) only for hr/tb files)

        return numeric_model_from_wannier(path, lattice, interpolation)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ModelError(f"cannot read model file '{text_name}': {error}") from None
    data = _parse_toml(text, text_name)
    return model_from_mapping(data, where=text_name, path=str(path))


def _parse_toml(text: str, where: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ModelError(f"'{where}' is not valid TOML: {error}") from None


def _require(data: Mapping, key: str, kind, where: str):
    if key not in data:
        raise ModelError(f"{where}: missing required key '{key}'")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ModelError(f"{where}: '{key}' must be {getattr(kind, '__name__', kind)}")
    return value


def _matrix(rows, symbols, where: str) -> sympy.ImmutableMatrix:
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise ModelError(f"{where}: must be a non-empty list of rows")
    width = len(rows[0])
    for index, row in enumerate(rows):
        if len(row) != width:
            raise ModelError(
                f"{where}: ragged matrix (row 0 has {width} entries, row {index} has {len(row)})"
            )
    entries = [
        [parse_expression(entry, symbols, f"{where}[{i}][{j}]") for j, entry in enumerate(row)]
        for i, row in enumerate(rows)
    ]
    return sympy.ImmutableMatrix(entries)


def _operators(data, key: str, n_bands: int, dimension: int, where: str):
    operators = []
    items = data.get(key, [])
    if not isinstance(items, list):
        raise ModelError(f"{where}: '{key}' must be an array of tables ([[{key}]])")
    for index, item in enumerate(items):
        label = f"{where}: {key}[{index}]"
        if not isinstance(item, dict):
            raise ModelError(f"{label} must be a table")
        name = _require(item, "name", str, label)
        matrix = _matrix(_require(item, "matrix", list, label), {}, f"{label}.matrix")
        k_action = _matrix(_require(item, "k_action", list, label), {}, f"{label}.k_action")
        antiunitary = item.get("antiunitary", False)
        if not isinstance(antiunitary, bool):
            raise ModelError(f"{label}: 'antiunitary' must be true or false")
        if matrix.shape != (n_bands, n_bands):
            raise ModelError(f"{label}: matrix is {matrix.shape}, expected {n_bands}x{n_bands}")
        if k_action.shape != (dimension, dimension):
            raise ModelError(f"{label}: k_action must be {dimension}x{dimension}")
        operators.append(SymmetryOperator(name, matrix, antiunitary, k_action))
    return tuple(operators)


def model_from_mapping(data: Mapping, where: str = "model", path: str = "") -> BlochModel:  # noqa: C901 (one check per model-file field, each a one-line error)
    """Build a :class:`BlochModel` from the parsed TOML mapping (see README for the format)."""
    unknown = sorted(set(data) - _TOP_LEVEL_KEYS)
    if unknown:
        raise ModelError(f"{where}: unknown key(s) {', '.join(unknown)}")
    name = _require(data, "name", str, where)
    dimension = _require(data, "dimension", int, where)
    if dimension not in (1, 2, 3):
        raise ModelError(f"{where}: dimension must be 1, 2 or 3, got {dimension}")
    lattice = data.get("lattice", False)
    if not isinstance(lattice, bool):
        raise ModelError(f"{where}: 'lattice' must be true or false")
    parameters = data.get("parameters", {})
    if not isinstance(parameters, dict):
        raise ModelError(f"{where}: [parameters] must be a table")
    for key, value in parameters.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelError(f"{where}: parameter '{key}' must be a number, got {value!r}")
    symbols = {k.name: k for k in MOMENTA[:dimension]}
    for key in parameters:
        if key in symbols or key in ("I", "pi") or not key.isidentifier():
            raise ModelError(f"{where}: '{key}' cannot be a parameter name")
        symbols[key] = sympy.Symbol(key, real=True)
    hamiltonian = _require(data, "hamiltonian", dict, where)
    extra = sorted(set(hamiltonian) - {"matrix"})
    if extra:
        raise ModelError(f"{where}: unknown key(s) in [hamiltonian]: {', '.join(extra)}")
    matrix = _matrix(
        _require(hamiltonian, "matrix", list, f"{where}: [hamiltonian]"),
        symbols,
        "hamiltonian.matrix",
    )
    if matrix.shape[0] != matrix.shape[1]:
        raise ModelError(f"{where}: hamiltonian matrix is {matrix.shape}, not square")
    reciprocal = None
    if "reciprocal" in data:
        reciprocal = _matrix(data["reciprocal"], {}, "reciprocal")
        if reciprocal.free_symbols:
            raise ModelError(f"{where}: reciprocal vectors must be numbers")
        reciprocal = [[float(x) for x in row] for row in reciprocal.evalf().tolist()]
    units = data.get("units", {"energy": "arb.", "length": "arb."})
    if not isinstance(units, dict) or not all(isinstance(v, str) for v in units.values()):
        raise ModelError(f"{where}: 'units' must be a table of strings")
    try:
        return bloch_model(
            name,
            matrix,
            parameters,
            dimension=dimension,
            lattice=lattice,
            reciprocal=reciprocal,
            cutoff=data.get("cutoff"),
            units=units,
            description=str(data.get("description", "")),
            source=str(data.get("source", "")),
            symmetries=_operators(data, "symmetry", matrix.shape[0], dimension, where),
            broken_symmetries=_operators(
                data, "broken_symmetry", matrix.shape[0], dimension, where
            ),
            path=path,
        )
    except CacheError:
        raise  # about the cache folder, not about this model
    except QgsymError as error:
        message = str(error)
        raise ModelError(message if message.startswith(where) else f"{where}: {message}") from None
