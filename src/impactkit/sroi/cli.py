"""The ``impactkit sroi`` commands: compute, sensitivity, simulate, export and import value maps."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from impactkit.errors import ImpactkitError, Problem, ValueMapError
from impactkit.sroi._engine import compute
from impactkit.sroi._model import Conventions, ValueMap, load_value_map, parse_value_map
from impactkit.sroi._montecarlo import simulate
from impactkit.sroi._sensitivity import sensitivity
from impactkit.sroi.excel import export_value_map, import_value_map

F = TypeVar("F", bound=Callable[..., Any])

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _reports_errors(command: F) -> F:
    """Print an impactkit error as a clear list and exit with code 2, without a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ImpactkitError as error:
            click.echo(f"error: {error.message}", err=True)
            for problem in error.problems:
                click.echo(f"  - {problem}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def _read_map(path: Path) -> ValueMap:
    if path.suffix.lower() == ".xlsx":
        return import_value_map(path)
    return load_value_map(path)


def _with_overrides(value_map: ValueMap, discount_rate: str | None, conventions: tuple[str, ...]) -> ValueMap:
    if discount_rate is None and not conventions:
        return value_map
    data = value_map.model_dump(mode="json")
    if discount_rate is not None:
        data["discount_rate"] = discount_rate
    known = set(Conventions.model_fields)
    problems: list[str] = []
    for item in conventions:
        name, _, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if name not in known or not value:
            problems.append(f"--convention {item!r}: expected NAME=VALUE with NAME in {sorted(known)}")
            continue
        lowered = value.strip().lower()
        parsed: Any = value.strip()
        if lowered in _TRUE:
            parsed = True
        elif lowered in _FALSE:
            parsed = False
        data["conventions"][name] = parsed
    if problems:
        raise click.UsageError("; ".join(problems))
    return parse_value_map(data, source="value map with command-line settings")


def _json(model: Any) -> None:
    click.echo(json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False))


@click.group(name="sroi")
def sroi() -> None:
    """SROI analyses: value maps, ratio, sensitivity, uncertainty, Excel value maps."""


@sroi.command(name="compute")
@click.argument("value_map_path", metavar="MAP", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--discount-rate", help="Annual discount rate: 0.035 or 3.5%.")
@click.option(
    "--convention",
    "conventions",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a convention, e.g. discount_first_year=false, drop_off_from=first_year.",
)
@_reports_errors
def compute_command(
    value_map_path: Path, as_json: bool, discount_rate: str | None, conventions: tuple[str, ...]
) -> None:
    """Compute the SROI ratio of the value map MAP (YAML, JSON or an exported .xlsx)."""
    value_map = _with_overrides(_read_map(value_map_path), discount_rate, conventions)
    result = compute(value_map)
    if as_json:
        _json(result)
    else:
        click.echo(result.table())


@sroi.command(name="sensitivity")
@click.argument("value_map_path", metavar="MAP", type=click.Path(path_type=Path))
@click.option("--steps", default="10,25", show_default=True, help="Changes in per cent, comma-separated.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@_reports_errors
def sensitivity_command(value_map_path: Path, steps: str, as_json: bool) -> None:
    """One-at-a-time sensitivity and the 1:1 value of every estimate, as a tornado table."""
    try:
        changes = [float(s.strip().rstrip("%")) / 100 for s in steps.split(",") if s.strip()]
    except ValueError:
        raise click.BadParameter(f"expected per cents such as 10,25, got {steps!r}") from None
    if not changes or any(c <= 0 for c in changes):
        raise click.BadParameter("expected positive per cents such as 10,25")
    result = sensitivity(_read_map(value_map_path), changes)
    if as_json:
        _json(result)
    else:
        click.echo(result.tornado())


@sroi.command(name="simulate")
@click.argument("value_map_path", metavar="MAP", type=click.Path(path_type=Path))
@click.option("--draws", default=10_000, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", type=int, default=None, help="Seed for a repeatable result.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@_reports_errors
def simulate_command(value_map_path: Path, draws: int, seed: int | None, as_json: bool) -> None:
    """Monte Carlo over the distributions given in MAP: the ratio's median, p5, p95, P(<1)."""
    result = simulate(_read_map(value_map_path), draws=draws, seed=seed)
    if as_json:
        _json(result)
    else:
        click.echo(result.table())


@sroi.command(name="export")
@click.argument("value_map_path", metavar="MAP", type=click.Path(path_type=Path))
@click.argument("out", metavar="OUT.xlsx", type=click.Path(path_type=Path))
@click.option("--language", type=click.Choice(["en", "it"]), default="en", show_default=True)
@click.option(
    "--layout",
    type=click.Choice(["impactkit", "svi"]),
    default="impactkit",
    show_default=True,
    help="impactkit's sheets, or Social Value International's value map (stages 1-5).",
)
@_reports_errors
def export_command(value_map_path: Path, out: Path, language: str, layout: str) -> None:
    """Write MAP to an Excel workbook with live formulas."""
    export_value_map(_read_map(value_map_path), out, language=language, layout=layout)
    click.echo(f"wrote {out}")


@sroi.command(name="import")
@click.argument("workbook", metavar="IN.xlsx", type=click.Path(path_type=Path))
@click.argument("out", metavar="[OUT.yaml]", required=False, type=click.Path(path_type=Path))
@_reports_errors
def import_command(workbook: Path, out: Path | None) -> None:
    """Read a value map workbook (impactkit's or the SVI layout) back to YAML (printed, or to OUT.yaml)."""
    value_map = import_value_map(workbook)
    text = yaml.safe_dump(
        value_map.model_dump(mode="json", exclude_defaults=True),
        allow_unicode=True,
        sort_keys=False,
    )
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ValueMapError(f"cannot write {out}", [Problem(str(error), str(out))]) from error
    click.echo(f"wrote {out}")


__all__ = ["sroi"]
