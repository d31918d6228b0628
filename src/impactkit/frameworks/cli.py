"""Command line for frameworks and KPIs: ``impactkit frameworks …`` and ``impactkit kpis …``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from impactkit.errors import ImpactkitError, Problem
from impactkit.frameworks.loading import (
    check_framework,
    framework_to_dict,
    get_framework,
    load_framework,
    shipped_frameworks,
)
from impactkit.frameworks.model import Framework
from impactkit.frameworks.proxies import check_proxy_bank

EXIT_INVALID = 2


def _fail(error: ImpactkitError) -> None:
    click.echo(f"error: {error.message}", err=True)
    for problem in error.problems:
        click.echo(f"  - {problem}", err=True)
    raise SystemExit(EXIT_INVALID)


def _framework(reference: str) -> Framework:
    """A shipped framework by id, or a framework file by path."""
    path = Path(reference)
    if path.suffix in {".yaml", ".yml", ".json"} and path.is_file():
        return load_framework(path)
    return get_framework(reference)


@click.group("frameworks")
def frameworks_group() -> None:
    """List, show and check impact frameworks."""


@frameworks_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_frameworks(as_json: bool) -> None:
    """List the shipped frameworks."""
    frameworks = shipped_frameworks()
    if as_json:
        rows = [
            {
                "id": f.id,
                "version": f.version,
                "kind": f.kind,
                "indicators": len(f.indicators),
                "title": f.title.model_dump(),
                "content_hash": f.content_hash(),
            }
            for f in frameworks
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for f in frameworks:
        size = f"{len(f.indicators)} indicators" if f.kind == "indicators" else f.kind
        click.echo(f"{f.id:<18} {f.version:<8} {size:<16} {f.title.en}")


@frameworks_group.command("show")
@click.argument("framework_id")
@click.option("--json", "as_json", is_flag=True, help="Print the whole framework as JSON.")
@click.option("--lang", type=click.Choice(["it", "en"]), default="en", show_default=True)
def show_framework(framework_id: str, as_json: bool, lang: str) -> None:
    """Show a framework (shipped id or file): its indicators and how each is computed."""
    try:
        framework = _framework(framework_id)
    except ImpactkitError as error:
        _fail(error)
        return
    if as_json:
        data = framework_to_dict(framework)
        data["content_hash"] = framework.content_hash()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{getattr(framework.title, lang)}  ({framework.id} {framework.version})")
    click.echo(getattr(framework.description, lang))
    for indicator in framework.indicators:
        click.echo("")
        click.echo(f"{indicator.id} — {getattr(indicator.labels, lang)}")
        click.echo(f"  kind: {indicator.kind}, unit: {indicator.unit}")
        source = indicator.source
        if source is None:
            click.echo(f"  derived: {indicator.derived}")
        elif source.reported:
            click.echo(f"  source: reported {source.form}: {indicator.value_expression}")
        else:
            click.echo(f"  source: form {source.form}: {indicator.value_expression or 'responses'}")
        if source is not None and source.filter:
            click.echo(f"  filter: {source.filter}")
        if indicator.denominator is not None:
            click.echo(f"  denominator: {indicator.denominator.value_expression}")
        if indicator.disaggregations:
            click.echo(f"  disaggregations: {', '.join(indicator.disaggregations)}")
        if indicator.target is not None:
            click.echo(f"  target: {indicator.target.direction} {indicator.target.value}")
        click.echo(f"  {getattr(indicator.definition, lang)}")
    for theme in framework.themes:
        click.echo(f"{theme.id}. {getattr(theme.title, lang)}")
        for objective in theme.objectives:
            click.echo(f"  {objective.id} {getattr(objective.title, lang)}")


@frameworks_group.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--previous",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The version published before: an indicator that keeps its id keeps its definition.",
)
def check_command(path: Path, previous: Path | None) -> None:
    """Check a framework file; list every problem and exit 2 if there is any.

    Refused: unknown forms, questions or disaggregations, expressions that do not parse,
    circular definitions of derived indicators, an indicator whose definition changed without
    a new id (against every shipped version, and --previous), a proxy without a source.
    """
    if _is_proxy_bank(path):
        bank_problems = check_proxy_bank(path.parent)
        if bank_problems:
            click.echo(f"{path}: {len(bank_problems)} problem(s)", err=True)
            for problem in bank_problems:
                click.echo(f"  - {problem}", err=True)
            raise SystemExit(EXIT_INVALID)
        click.echo(f"{path}: OK (proxy bank)")
        return
    before = None
    if previous is not None:
        try:
            before = load_framework(previous)
        except ImpactkitError as error:
            _fail(error)
            return
    problems = check_framework(path, previous=before)
    if problems:
        click.echo(f"{path}: {len(problems)} problem(s)", err=True)
        for problem in problems:
            click.echo(f"  - {path.name}: {problem}", err=True)
        raise SystemExit(EXIT_INVALID)
    framework = load_framework(path)
    proxy_problems = check_proxy_bank()
    if proxy_problems:
        click.echo(f"the proxy bank: {len(proxy_problems)} problem(s)", err=True)
        for problem in proxy_problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(EXIT_INVALID)
    click.echo(f"{path}: OK ({framework.id} {framework.version}, {framework.content_hash()[:12]})")


def _is_proxy_bank(path: Path) -> bool:
    """A proxy bank file (``proxies:`` and ``price_index:``) rather than a framework."""
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(raw, dict) and "proxies" in raw and "price_index" in raw and "indicators" not in raw


def _read_responses(spec: str, framework: Framework) -> tuple[str, Any]:
    """One ``FORM_ID=FILE``: JSON, or CSV/XLSX read by impactkit.surveys.files (any separator,
    encoding, decimal mark), impactkit's own export columns mapped; a file that lacks every
    field the framework reads from that form is refused, naming them."""
    import pandas as pd

    from impactkit.frameworks.inputs import kpi_frame, missing_columns
    from impactkit.surveys.files import read_table

    form_id, separator, file_name = spec.partition("=")
    if not separator or not form_id or not file_name:
        raise click.BadParameter(f"expected FORM_ID=FILE, got {spec!r}", param_hint="--responses")
    path = Path(file_name)
    if not path.is_file():
        raise click.BadParameter(f"no such file: {file_name}", param_hint="--responses")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ImpactkitError(
                f"{path.name} is not readable JSON", [Problem(str(error), path.name)]
            ) from None
        if isinstance(data, dict):
            data = data.get("responses", data.get("items", []))
        frame = pd.DataFrame.from_records(data)
        notes: list[str] = []
        if frame.empty:
            raise ImpactkitError(
                f"{path.name} holds no responses",
                [Problem("expected a list of responses (objects), or {'responses': [...]}", path.name)],
            )
    else:
        table = read_table(path)
        frame = table.frame
        notes = [f"{path.name}: {table.dialect.describe()}", *table.notes]
    frame, renamed = kpi_frame(frame)
    notes += renamed
    wanted, missing = missing_columns(framework, form_id, frame)
    if wanted and missing == wanted:
        raise ImpactkitError(
            f"{path.name} has none of the columns the framework reads from {form_id!r}",
            [
                Problem(
                    f"expected columns such as {', '.join(sorted(wanted)[:8])}; the file has "
                    f"{', '.join(map(str, list(frame.columns)[:8]))}"
                    + (" …" if len(frame.columns) > 8 else "")
                    + " (export with field names, not labels)",
                    path.name,
                    code="columns",
                )
            ],
        )
    if missing:
        notes.append(f"{path.name}: no column {', '.join(sorted(missing))}: KPIs that read them have no data")
    for note in notes:
        click.echo(f"note: {note}", err=True)
    return form_id, frame


@click.group("kpis")
def kpis_group() -> None:
    """Compute KPIs."""


@kpis_group.command("compute")
@click.option("--framework", "framework_ref", required=True, help="Shipped id or file.")
@click.option(
    "--responses",
    "response_specs",
    multiple=True,
    required=True,
    metavar="FORM_ID=FILE",
    help="Responses to one form, as CSV or JSON (repeat for each form).",
)
@click.option("--population", type=click.IntRange(min=1), default=None)
@click.option("--group-by", default=None, help="e.g. _organisation_id")
@click.option("--min-n", type=click.IntRange(min=1), default=30, show_default=True)
@click.option(
    "--suppress-below",
    type=click.IntRange(min=1),
    default=None,
    help="Disclosure threshold (default: the instance's, 5); 1 hides nothing, for your own analysis.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def compute_command(
    framework_ref: str,
    response_specs: tuple[str, ...],
    population: int | None,
    group_by: str | None,
    min_n: int,
    suppress_below: int | None,
    as_json: bool,
) -> None:
    """Compute every KPI of a framework from response files."""
    from impactkit.frameworks.compute import compute_kpis

    try:
        framework = _framework(framework_ref)
        responses = dict(_read_responses(spec, framework) for spec in response_specs)
        results = compute_kpis(
            framework,
            responses,
            population=population,
            group_by=group_by,
            min_n=min_n,
            suppress_below=suppress_below,
        )
    except ImpactkitError as error:
        _fail(error)
        return
    if as_json:
        click.echo(results.model_dump_json(indent=2))
        return
    for result in results.results:
        prefix = f"[{result.group}] " if result.group is not None else ""
        value = "—" if result.value is None else f"{result.value:.4g}"
        interval = (
            f" [{result.ci_low:.4g}, {result.ci_high:.4g}]"
            if result.ci_low is not None and result.ci_high is not None
            else ""
        )
        target = ""
        if result.target_met is not None:
            target = " target met" if result.target_met else " target NOT met"
        flags = f"  ({'; '.join(result.flags)})" if result.flags else ""
        click.echo(
            f"{prefix}{result.indicator_id}: {value}{interval} {result.unit}, n={result.n}{target}{flags}"
        )
    if results.disclosure is not None:
        click.echo("")
        click.echo(results.disclosure.method.en)


__all__ = ["frameworks_group", "kpis_group"]
