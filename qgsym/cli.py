"""Command line: ``qgsym models|formulas|compute|check|report`` (contract in README / SPEC).

Every user-facing error ends as one line on stderr and exit status 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

import numpy as np

from qgsym.bands.execution import available_cores
from qgsym.compute import (
    ComputeOptions,
    compute_function,
    compute_levels,
    degeneracy_threshold_used,
    with_degeneracy_threshold,
)
from qgsym.errors import QgsymError
from qgsym.formulas import formula_registry
from qgsym.formulas.units import si_values
from qgsym.model.loader import catalogue_names, load_model

EXIT_USAGE = 2
#: A claim check or derivation raised: an error of qgsym, not a verdict.
EXIT_CHECK_FAILED = 1
#: Exit status of ``compute --strict`` when the result is not converged.
EXIT_NOT_CONVERGED = 3


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line (it prints usage + message by default)."""

    def error(self, message):
        raise QgsymError(f"{self.prog}: {message}")


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise QgsymError(f"{what} = {text!r} is not a number") from None
    if not math.isfinite(value):
        raise QgsymError(f"{what} = {text!r} is not finite")
    return value


#: Most Fermi levels one ``--mu`` may ask for.
MAX_LEVELS = 100_000


def _fermi_levels(text: str) -> tuple[float, tuple[float, ...]]:
    """``--mu``: X (one level), X,Y,Z (a list) or A:B:N (N levels A..B inclusive).

    Returns (mu, mus): ``mus`` is empty for one level X, so that its output keeps the
    single-level layout; the list and range forms give list-valued output.
    """
    text = text.strip()
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise QgsymError(f"--mu A:B:N expects three fields, got {text!r}")
        low, high = _number(parts[0], "--mu A"), _number(parts[1], "--mu B")
        try:
            count = int(parts[2])
        except ValueError:
            raise QgsymError(f"--mu A:B:N: N = {parts[2]!r} is not an integer") from None
        if not 2 <= count <= MAX_LEVELS:
            raise QgsymError(f"--mu A:B:N: N must be between 2 and {MAX_LEVELS}, got {count}")
        if not high > low:
            raise QgsymError(f"--mu A:B:N needs A < B, got A = {low:g}, B = {high:g}")
        # 15 significant digits: 0.10175, not linspace's 0.10175000000000001
        levels = tuple(float(f"{x:.15g}") for x in np.linspace(low, high, count))
        return levels[0], levels
    if "," in text:
        items = [item.strip() for item in text.split(",")]
        if any(not item for item in items):
            raise QgsymError(f"--mu X,Y,Z has an empty entry: {text!r}")
        if len(items) > MAX_LEVELS:
            raise QgsymError(f"--mu lists {len(items)} levels; at most {MAX_LEVELS}")
        levels = tuple(_number(item, "mu") for item in items)
        return levels[0], levels
    return _number(text, "mu"), ()


def _integer(text: str, what: str, minimum: int) -> int:
    """``text`` as an integer of at least ``minimum``, or a one-line error naming ``what``."""
    try:
        value = int(text)
    except ValueError:
        raise QgsymError(f"{what} = {text!r} is not an integer") from None
    if value < minimum:
        raise QgsymError(f"{what} must be at least {minimum}, got {value}")
    return value


def _overrides(items) -> dict[str, float]:
    overrides = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise QgsymError(f"--set expects NAME=VALUE, got {item!r}")
        overrides[name.strip()] = _number(value.strip(), f"parameter '{name.strip()}'")
    return overrides


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qgsym", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    models = commands.add_parser("models", help="list or show catalogue models")
    models_sub = models.add_subparsers(dest="action", required=True, parser_class=_Parser)
    models_sub.add_parser("list")
    show = models_sub.add_parser("show")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")

    formulas = commands.add_parser("formulas", help="list or show registry formulas")
    formulas_sub = formulas.add_subparsers(dest="action", required=True, parser_class=_Parser)
    formulas_sub.add_parser("list")
    fshow = formulas_sub.add_parser("show")
    fshow.add_argument("key")
    fshow.add_argument("--json", action="store_true")

    compute = commands.add_parser("compute", help="compute a quantity on a model")
    compute.add_argument("quantity")
    compute.add_argument("--model", required=True, help="catalogue name or path (TOML, _hr.dat)")
    compute.add_argument("--set", action="append", metavar="NAME=VALUE", default=[])
    compute.add_argument("--mu", default="0.0",
                         help="X, X,Y,Z or A:B:N (N levels from A to B inclusive)")
    compute.add_argument("--T", default="0.01", help="temperature k_B T (model energy unit)")
    compute.add_argument("--formula", default="", help="KEY[,KEY...] or all")
    compute.add_argument("--form", default="sea", choices=["sea", "surface"])
    compute.add_argument("--grid", default=None,
                         help="points per axis, fixed (no refinement); default: refine")
    compute.add_argument("--tol", default=None,
                         help="relative tolerance of every component (default 1e-2)")
    compute.add_argument("--max-grid", default=None,
                         help="points-per-axis cap of the refinement")
    compute.add_argument("--time-budget", default=None,
                         help="seconds the refinement may spend (default 120)")
    compute.add_argument("--strict", action="store_true",
                         help="exit status 3 when the result is not converged")
    compute.add_argument("--broadening", default="", help="DELTA or DELTA0,DELTA1,...")
    compute.add_argument("--json", action="store_true")
    compute.add_argument("--csv", default=None, metavar="FILE",
                         help="also write one row per mu, one column per formula.component")
    compute.add_argument("--plot", default=None, metavar="FILE.svg",
                         help="also write every formula vs mu as an SVG plot")
    compute.add_argument("--degeneracy-threshold", default=None, metavar="E",
                         help="degeneracy threshold: at each k, bands closer than E (model "
                              "energy unit) are summed as one group (default 1e-4 x the "
                              "spectrum's spread; stated in the output)")
    compute.add_argument("--lattice", default=None, help="Wannier90 _hr.dat: FILE.win or unit")
    compute.add_argument("--interpolation", default=None, choices=["tb", "full"])
    compute.add_argument("--workers", default=None, metavar="N",
                         help="processes for the k chunks (default: the cores available)")
    compute.add_argument("--scheduler", default=None, metavar="ADDRESS",
                         help="run the k chunks on a Dask cluster (tcp://host:8786)")

    check = commands.add_parser("check", help="decide claims")
    check.add_argument("ids", nargs="*")
    check.add_argument("--json", action="store_true")
    check.add_argument("--model", default=None,
                       help="run the model-applicable claims on this model (name or path)")

    compare = commands.add_parser("compare", help="compare a user formula file with the registry")
    compare.add_argument("formula_file")
    compare.add_argument("--against", default="", help="KEY[,KEY...] (default: same quantity)")
    compare.add_argument("--model", action="append", default=[], help="name or path (repeatable)")
    compare.add_argument("--grid", type=int, default=None, help="points per axis (error: N/2)")
    compare.add_argument("--no-numbers", action="store_true", help="symbolic checks only")
    compare.add_argument("--json", action="store_true")

    report = commands.add_parser("report", help="run all derivations and claims, write report")
    report.add_argument("--out", default="reports")
    report.add_argument("--compare", action="append", default=[], metavar="FORMULA_FILE",
                        help="add a user formula's comparison to the formula page")
    return parser


def _compute(args) -> int:
    from qgsym.claims.base import json_safe  # noqa: PLC0415 (deferred: only `compute` needs it, --help stays fast)
    from qgsym.model.wannier90 import wannier_fields  # noqa: PLC0415 (deferred: only `compute` needs it, --help stays fast)

    compute_function(args.quantity)  # an unknown quantity fails before the model loads
    mu, mus = _fermi_levels(args.mu)
    if args.plot is not None and not args.plot.lower().endswith(".svg"):
        raise QgsymError(f"--plot writes SVG: the file name must end in .svg, got {args.plot!r}")
    model = load_model(args.model, _overrides(args.set), args.lattice, args.interpolation)
    grid = None if args.grid is None else _integer(args.grid, "--grid", 2)
    temperature = _number(args.T, "T")
    if temperature <= 0:
        raise QgsymError(f"temperature T must be positive, got {temperature}")
    broadening = tuple(
        _number(x, "broadening") for x in args.broadening.split(",") if x.strip()
    )
    if any(b <= 0 for b in broadening):
        raise QgsymError("broadening must be positive")
    threshold = None
    if args.degeneracy_threshold is not None:
        threshold = _number(args.degeneracy_threshold, "--degeneracy-threshold")
        if threshold < 0:
            raise QgsymError(f"--degeneracy-threshold must be >= 0, got {threshold:g}")
    formulas = tuple(f.strip() for f in args.formula.split(",") if f.strip())
    options = ComputeOptions(
        mu=mu, T=temperature, grid=grid, formulas=formulas, form=args.form,
        broadening=broadening, mus=mus, degeneracy_threshold=threshold,
        **_convergence_options(args), **_execution_options(args),
    )
    model = with_degeneracy_threshold(model, threshold)
    with np.errstate(divide="raise", invalid="raise", over="ignore", under="ignore"):
        try:
            result = compute_levels(args.quantity, model, options)
        except FloatingPointError as error:
            raise QgsymError(f"numerical failure in {args.quantity}: {error}") from None
    output = {
        "quantity": args.quantity,
        "model": model.name,
        "parameters": dict(model.parameters),
        "mu": list(options.mus) if options.mus else options.mu,
        "T": options.T,
        "units": result.pop("units", "natural"),
        **result,
        **wannier_fields(model),
        "degeneracy_threshold": degeneracy_threshold_used(model),
    }
    output.update(si_values(output, model, args.quantity))
    output = json_safe(output)
    _reject_non_finite(output, args.quantity)
    _write_level_files(args, output, model)
    if args.json:
        print(json.dumps(output, sort_keys=False))
    else:
        _print_human(output)
    for warning in output.get("warnings", []):
        print(f"warning: {warning}".replace("\n", " "), file=sys.stderr)
    if args.strict and output.get("converged") is False:
        return EXIT_NOT_CONVERGED
    return 0


def _write_level_files(args, output: dict, model) -> None:
    """``--csv`` and ``--plot`` (:mod:`qgsym.report.levels`)."""
    if args.csv is None and args.plot is None:
        return
    from qgsym.report.levels import write_csv, write_plot  # noqa: PLC0415 (slow import deferred: report package, only for --csv/--plot)

    energy = model.units.get("energy", "") if output.get("values_si") is not None else ""
    if args.csv is not None:
        write_csv(output, args.csv, energy)
    if args.plot is not None:
        write_plot(output, args.plot, energy)


def _convergence_options(args) -> dict:
    """--tol, --max-grid, --time-budget as ComputeOptions fields (only those given)."""
    options = {}
    if args.tol is not None:
        options["tol"] = _number(args.tol, "--tol")
        if not 0 < options["tol"] < 1:
            raise QgsymError(f"--tol must be between 0 and 1 (relative), got {args.tol}")
    if args.max_grid is not None:
        options["max_grid"] = _integer(args.max_grid, "--max-grid", 4)
    if args.time_budget is not None:
        options["time_budget"] = _number(args.time_budget, "--time-budget")
        if options["time_budget"] <= 0:
            raise QgsymError(f"--time-budget must be positive, got {args.time_budget}")
    return options


def _execution_options(args) -> dict:
    """--workers (default: the cores available) and --scheduler as ComputeOptions fields."""
    workers = available_cores() if args.workers is None else _integer(args.workers, "--workers", 1)
    return {"workers": workers, "scheduler": args.scheduler}


def _reject_non_finite(value, quantity: str) -> None:
    """No silent NaN: json_safe turned non-finite floats into strings; refuse them."""
    if isinstance(value, dict):
        for item in value.values():
            _reject_non_finite(item, quantity)
    elif isinstance(value, list):
        for item in value:
            _reject_non_finite(item, quantity)
    elif value in ("nan", "inf", "-inf"):
        raise QgsymError(f"{quantity}: a value is not finite (grid or model problem)")


def _print_human(output: dict) -> None:
    print(f"{output['quantity']} of model {output['model']} {output['parameters']}")
    print(f"mu = {output['mu']}, T = {output['T']}, grid = {output.get('grid')}")
    if output.get("k_grid"):
        print(f"k grid: {output['k_grid']}")
    if output.get("degeneracy_threshold") is not None:
        print(f"degeneracy threshold = {output['degeneracy_threshold']:.3g} "
              "(model energy unit; bands closer at a k point are summed as one group)")
    if "converged" in output:
        tolerance = output.get("tolerance", {})
        print(f"converged = {output['converged']} (tol = {tolerance.get('relative')}, "
              f"{output.get('refinement', {}).get('stopped', '')})")
    if "converged_per_mu" in output:
        print(f"converged per mu = {json.dumps(output['converged_per_mu'])}")
    errors = output.get("error_estimate")
    for key, value in output["values"].items():
        error = errors.get(key) if isinstance(errors, dict) else None
        suffix = f"   error estimate: {json.dumps(error)}" if error is not None else ""
        print(f"  {key}: {json.dumps(value)}{suffix}")
    if "values_si" in output:
        print(f"SI ({json.dumps(output['units_si'])}): {json.dumps(output['values_si'])}")
    if output.get("notes"):
        print(f"notes: {output['notes']}")


def _models(args) -> int:
    if args.action == "list":
        for name in catalogue_names():
            model = load_model(name)
            kind = "lattice" if model.lattice else "continuum"
            print(f"{name:16s} {model.dimension}D {kind:9s} {model.n_bands} bands  "
                  f"{model.description}")
        return 0
    model = load_model(args.name)
    summary = model.summary()
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


def _formulas(args) -> int:
    registry = formula_registry()
    if args.action == "list":
        for key, formula in registry.items():
            print(f"{key:16s} {formula.title}")
        return 0
    if args.key not in registry:
        raise QgsymError(f"unknown formula '{args.key}'; known: {', '.join(registry)}")
    formula = registry[args.key]
    if args.json:
        print(json.dumps(formula.to_json()))
    else:
        print(formula.describe())
    return 0


def _check(args) -> int:
    if args.model is not None:
        from qgsym.model_check import run_model_check  # noqa: PLC0415 (slow import deferred: model_check loads the engines, ~0.5 s)

        return run_model_check(args)
    from qgsym.claims import CLAIM_IDS, all_claims, known_ids, not_implemented, run_claim  # noqa: PLC0415 (slow import deferred: claims, only for `check`)

    claims = all_claims()
    ids = args.ids or known_ids()
    for claim_id in ids:
        if claim_id not in claims and claim_id not in CLAIM_IDS:
            raise QgsymError(f"unknown claim id '{claim_id}'; known: {', '.join(known_ids())}")
    results = [run_claim(claims[c]) if c in claims else not_implemented(c) for c in ids]
    if args.json:
        print(json.dumps({"claims": [r.to_json() for r in results]}))
    else:
        from qgsym.report.terminal import print_verdict_table  # noqa: PLC0415 (slow import deferred: report package, only for `check`)

        print_verdict_table(results)
    failed = [r for r in results if r.verdict == "failed"]
    for result in failed:  # an error of qgsym, never a verdict
        print(f"qgsym: error: the check of {result.id} failed: {result.evidence.get('reason')}"
              .replace("\n", " "), file=sys.stderr)
    return EXIT_CHECK_FAILED if failed else 0


def _compare(args) -> int:
    from qgsym.compare import run_compare  # noqa: PLC0415 (slow import deferred: compare loads the engines, ~0.5 s)

    return run_compare(args)


def _report(args) -> int:
    from qgsym.report import load_results, write_report  # noqa: PLC0415 (slow import deferred: report package, only for `report`)

    index = write_report(args.out, user_formulas=args.compare)
    results = load_results(args.out)
    counts = results.get("verdict_counts", {})
    derivations = results.get("derivations", {})
    broken = [name for name, record in derivations.items() if record.get("status") != "ok"]
    summary = ", ".join(f"{count} {verdict}" for verdict, count in counts.items())
    print(f"qgsym report: {index} ({sum(counts.values())} claims: {summary}; "
          f"{len(derivations)} derivations, {len(broken)} failed)")
    failed = counts.get("failed", 0)
    if failed or broken:
        print(f"qgsym: error: {failed} claim check(s) and {len(broken)} derivation(s) failed "
              "(see the report)", file=sys.stderr)
        return EXIT_CHECK_FAILED
    return 0


def main(argv=None) -> int:
    """Run the command line; every failure is one line on stderr.

    Exit status: 0 success (also when the reader of stdout went away, as with ``| head``),
    2 a bad input or a file or stream error (``qgsym: error: ...``), 1 out of memory,
    130 interrupted.
    """
    try:
        args = build_parser().parse_args(_negative_levels(sys.argv[1:] if argv is None else argv))
        handler = {"compute": _compute, "models": _models, "formulas": _formulas,
                   "check": _check, "report": _report, "compare": _compare}[args.command]
        status = handler(args)
        sys.stdout.flush()  # a full disk shows here, not at interpreter exit
        return status
    except QgsymError as error:
        return _fail(str(error))
    except BrokenPipeError:  # e.g. `qgsym check --json | head`: the reader is done
        _silence_stdout()
        return 0
    except RecursionError:
        return _fail("input nested too deeply to process")
    except OSError as error:  # files (--out, models) and streams (stdout on a full disk)
        if error.filename:
            return _fail(f"{error.strerror or error}: '{error.filename}'")
        _silence_stdout()
        return _fail(f"{error.strerror or error} (writing the output)")
    except KeyboardInterrupt:
        print("qgsym: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("qgsym: error: out of memory (use a smaller --grid)", file=sys.stderr)
        return 1


def _negative_levels(argv) -> list[str]:
    """``--mu -1:1:201`` as ``--mu=-1:1:201`` (argparse would read ``-1:1:201`` as an option)."""
    argv = list(argv)
    joined = []
    index = 0
    while index < len(argv):
        item = argv[index]
        following = argv[index + 1] if index + 1 < len(argv) else ""
        if (item == "--mu" and len(following) > 1 and following[0] == "-"
                and (following[1].isdigit() or following[1] == ".")):
            joined.append(f"--mu={following}")
            index += 2
        else:
            joined.append(item)
            index += 1
    return joined


def _fail(message: str) -> int:
    """Print ``qgsym: error: MESSAGE`` as one line on stderr; return the usage exit status."""
    print(f"qgsym: error: {message}".replace("\n", " "), file=sys.stderr)
    return EXIT_USAGE


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout closed or not a real file (tests capture it)
        pass


if __name__ == "__main__":
    sys.exit(main())
