"""Read framework files (YAML or JSON) and check them, reporting every problem at once."""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from impactkit._paths import data_dir
from impactkit.errors import ExpressionError, FrameworkError, ImpactkitError, Problem
from impactkit.frameworks.model import Disaggregation, Framework, Indicator, Source

PLAN_OBJECTIVES_FILE = "plan-objectives.yaml"
REGISTRY_FILE = "registry/indicators.yaml"
"""Every indicator definition ever shipped, by framework and id: an id keeps its definition."""
SDG_MAP_FILE = "sdg-map.yaml"

# Metadata columns every response carries (see compute.py); allowed as disaggregation fallbacks.
METADATA_COLUMNS = frozenset(
    {
        "_instance_id",
        "_organisation_id",
        "_project_id",
        "_period_id",
        "_wave",
        "_submitted_at",
        "_territory_type",
        "_weight",
    }
)

FormFields = Mapping[str, frozenset[str]]


def _read_raw(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    location = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        return None, [Problem(f"cannot read the file: {error.strerror}", location, "unreadable")]
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{location}:{mark.line + 1}:{mark.column + 1}" if mark else location
        problem = getattr(error, "problem", None) or str(error)
        return None, [Problem(f"not valid YAML: {problem}", where, "yaml")]
    if not isinstance(raw, dict):
        return None, [Problem("a framework file must be a mapping (id, version, …)", location)]
    return raw, []


def _location(loc: Iterable[int | str], raw: Mapping[str, Any], prefix: str = "") -> str:
    """``('indicators', 2, 'source', 'expression')`` → ``indicators[people_reached].source…``."""
    parts: list[str] = [prefix] if prefix else []
    container: Any = raw
    for step in loc:
        if isinstance(step, int):
            name: Any = step
            if isinstance(container, list) and step < len(container):
                item = container[step]
                if isinstance(item, dict) and isinstance(item.get("id"), str | int):
                    name = item["id"]
                container = item
            else:
                container = None
            if parts:
                parts[-1] = f"{parts[-1]}[{name}]"
            else:
                parts.append(f"[{name}]")
        else:
            parts.append(str(step))
            container = container.get(step) if isinstance(container, dict) else None
    return ".".join(parts)


def _validation_problems(error: ValidationError, raw: Mapping[str, Any], prefix: str = "") -> list[Problem]:
    problems = []
    for detail in error.errors():
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "literal_error":
            expected = detail.get("ctx", {}).get("expected", "")
            message = f"unknown {detail['loc'][-1]} {detail['input']!r}: expected {expected}"
        elif detail["type"] == "string_pattern_mismatch":
            message = f"{message} (got {detail['input']!r})"
        elif detail["type"] == "extra_forbidden":
            message = "unknown key (a typo?)"
        problems.append(Problem(message, _location(detail["loc"], raw, prefix), detail["type"]))
    return problems


def _validate(raw: dict[str, Any]) -> tuple[Framework | None, list[Problem]]:
    """Validate the structure, each indicator on its own so that every problem is found.

    Returns the framework built from the parts that are valid (None when its top level is
    not), so that the semantic checks can still run over every valid indicator.
    """
    problems: list[Problem] = []
    indicators_raw = raw.get("indicators", [])
    if not isinstance(indicators_raw, list):
        problems.append(Problem("must be a list of indicators", "indicators"))
        indicators_raw = []
    top = {key: value for key, value in raw.items() if key != "indicators"}
    try:
        partial = Framework.model_validate(top)
    except ValidationError as error:
        problems.extend(_validation_problems(error, raw))
        partial = None
    valid: list[Indicator] = []
    for position, item in enumerate(indicators_raw):
        try:
            valid.append(Indicator.model_validate(item))
        except ValidationError as error:
            name = item.get("id", position) if isinstance(item, dict) else position
            problems.extend(_validation_problems(error, item, f"indicators[{name}]"))
    if partial is None:
        return None, problems
    return partial.model_copy(update={"indicators": valid}), problems


@functools.cache
def _reference_framework(file_name: str) -> Framework | None:
    path = data_dir("frameworks") / file_name
    if not path.is_file():
        return None
    raw, problems = _read_raw(path)
    if raw is None or problems:
        return None
    framework, problems = _validate(raw)
    return None if problems else framework


def plan_objective_ids() -> frozenset[str]:
    """The Plan's objective ids (``1.1`` … ``6.3``) from the shipped objective tree."""
    tree = _reference_framework(PLAN_OBJECTIVES_FILE)
    return frozenset(tree.objective_ids()) if tree else frozenset()


def sdg_target_ids() -> frozenset[str]:
    """Every SDG target code (``1.1`` … ``17.19``, ``1.a`` …) from the shipped SDG map."""
    sdg_map = _reference_framework(SDG_MAP_FILE)
    return frozenset(sdg_map.sdg_target_ids()) if sdg_map else frozenset()


def _fields_of(form: Any) -> frozenset[str]:
    """Field names of a form given as a set of names or as a survey ``Form`` object."""
    if isinstance(form, frozenset | set | list | tuple):
        return frozenset(str(name) for name in form)
    fields = getattr(form, "fields", None)
    if callable(fields):  # impactkit.surveys.Form.fields() yields every Field, groups included
        fields = fields()
    if isinstance(fields, Mapping):
        return frozenset(str(name) for name in fields)
    if fields is not None:
        return frozenset(str(getattr(field, "name", field)) for field in fields)
    raise TypeError(f"cannot read field names from {type(form).__name__}")


def _pyxform_fields(path: Path) -> tuple[str, frozenset[str]]:
    from pyxform.xls2json import parse_file_to_json

    survey = parse_file_to_json(str(path))
    names: set[str] = set()
    stack = list(survey.get("children", []))
    while stack:
        child = stack.pop()
        if child.get("type") in {"group", "repeat"}:
            stack.extend(child.get("children", []))
        elif child.get("type") != "note" and child.get("name") not in {None, "instanceID"}:
            names.add(child["name"])
    return str(survey.get("id_string", path.stem)), frozenset(names)


@functools.cache
def shipped_form_fields() -> Mapping[str, frozenset[str]]:
    """form_id → field names of every shipped survey form in ``surveys/``."""
    load_xlsform: Callable[[Path], Any] | None
    try:
        from impactkit.surveys import load_xlsform
    except ImportError:  # the survey engine is optional for reading frameworks
        load_xlsform = None
    forms: dict[str, frozenset[str]] = {}
    for path in sorted(data_dir("surveys").glob("*.xlsx")):
        if load_xlsform is not None:
            try:
                form = load_xlsform(path)
            except ImpactkitError:
                # The survey engine refusing a shipped form is its own tests' business;
                # the field names still come from pyxform, the reference implementation.
                pass
            else:
                forms[str(form.form_id)] = _fields_of(form)
                continue
        form_id, names = _pyxform_fields(path)
        forms[form_id] = names
    return forms


def _expression_problems(
    text: str | None,
    location: str,
    form_id: str,
    fields: frozenset[str] | None,
) -> list[Problem]:
    if text is None:
        return []
    from impactkit.surveys.expressions import parse_expression

    try:
        expression = parse_expression(text)
    except ExpressionError as error:
        detail = error.problems[0].message if error.problems else error.message
        return [Problem(f"cannot parse {text!r}: {detail}", location, "bad_expression")]
    if fields is None:
        return []
    return [
        Problem(
            f"unknown field ${{{name}}}: form {form_id!r} has no such field",
            location,
            "unknown_field",
        )
        for name in sorted(expression.references)
        if name not in fields
    ]


def _source_problems(source: Source, location: str, forms: FormFields) -> list[Problem]:
    fields = forms.get(source.form)
    problems: list[Problem] = []
    if fields is None:
        known = ", ".join(sorted(forms)) or "none"
        problems.append(Problem(f"unknown form {source.form!r} (known forms: {known})", f"{location}.form"))
    if source.field is not None and fields is not None and source.field not in fields:
        problems.append(
            Problem(
                f"unknown field {source.field!r}: form {source.form!r} has no such field",
                f"{location}.field",
                "unknown_field",
            )
        )
    problems += _expression_problems(source.expression, f"{location}.expression", source.form, fields)
    problems += _expression_problems(source.filter, f"{location}.filter", source.form, fields)
    return problems


def _disaggregation_problems(
    indicator: Indicator,
    where: str,
    disaggregations: Mapping[str, Disaggregation],
    forms: FormFields,
) -> list[Problem]:
    problems: list[Problem] = []
    if indicator.source is None:
        if indicator.disaggregations:
            problems.append(Problem("a derived indicator is not disaggregated", f"{where}.disaggregations"))
        return problems
    fields = forms.get(indicator.source.form)
    for name in indicator.disaggregations:
        spec = disaggregations.get(name)
        if spec is None:
            known = ", ".join(sorted(disaggregations)) or "none defined"
            problems.append(
                Problem(
                    f"unknown disaggregation {name!r} (defined: {known})",
                    f"{where}.disaggregations",
                    "unknown_disaggregation",
                )
            )
        elif indicator.source.reported:
            if spec.fallback is None and (fields is None or spec.field not in fields):
                problems.append(
                    Problem(
                        f"disaggregation {name!r} needs field {spec.field!r}, which reported "
                        "figures do not have",
                        f"{where}.disaggregations",
                        "unknown_field",
                    )
                )
        elif fields is not None and spec.field not in fields and spec.fallback is None:
            problems.append(
                Problem(
                    f"disaggregation {name!r} reads field {spec.field!r}, which form "
                    f"{indicator.source.form!r} does not have",
                    f"{where}.disaggregations",
                    "unknown_field",
                )
            )
    return problems


def _tag_problems(indicator: Indicator, where: str) -> list[Problem]:
    problems = []
    objectives = plan_objective_ids()
    targets = sdg_target_ids()
    for objective in indicator.tags.plan_objectives:
        if objectives and objective not in objectives:
            problems.append(
                Problem(
                    f"unknown Plan objective {objective!r} (the Plan has 1.1 … 6.3)",
                    f"{where}.tags.plan_objectives",
                    "unknown_objective",
                )
            )
    for target in indicator.tags.sdg_targets:
        if targets and target not in targets:
            problems.append(
                Problem(
                    f"unknown SDG target {target!r}",
                    f"{where}.tags.sdg_targets",
                    "unknown_sdg_target",
                )
            )
    return problems


def _indicator_framework_problems(framework: Framework, forms: FormFields) -> list[Problem]:
    problems: list[Problem] = []
    for name, count in Counter(i.id for i in framework.indicators).items():
        if count > 1:
            problems.append(
                Problem(
                    f"duplicate indicator id {name!r} ({count} indicators share it)",
                    f"indicators[{name}].id",
                    "duplicate_id",
                )
            )
    for name, count in Counter(d.id for d in framework.disaggregations).items():
        if count > 1:
            problems.append(Problem(f"duplicate disaggregation id {name!r}", f"disaggregations[{name}].id"))
    for spec in framework.disaggregations:
        if spec.fallback is not None and spec.fallback not in METADATA_COLUMNS:
            problems.append(
                Problem(
                    f"fallback {spec.fallback!r} is not a response metadata column "
                    f"({', '.join(sorted(METADATA_COLUMNS))})",
                    f"disaggregations[{spec.id}].fallback",
                )
            )
    disaggregations = {d.id: d for d in framework.disaggregations}
    if framework.population is not None:
        problems += _source_problems(framework.population, "population", forms)
    problems += _derivation_problems(framework)
    problems += _proxy_reference_problems(framework)
    problems += theory_of_change_problems(framework)
    for indicator in framework.indicators:
        where = f"indicators[{indicator.id}]"
        if indicator.source is None:
            problems += _disaggregation_problems(indicator, where, disaggregations, forms)
            problems += _tag_problems(indicator, where)
            continue
        problems += _source_problems(indicator.source, f"{where}.source", forms)
        if indicator.denominator is not None:
            problems += _source_problems(indicator.denominator, f"{where}.denominator", forms)
        fields = forms.get(indicator.source.form)
        if indicator.value_expression is None and indicator.kind not in {"count"}:
            problems.append(
                Problem(
                    f"a {indicator.kind} needs a value: give source.field or source.expression",
                    f"{where}.source",
                )
            )
        if indicator.change is not None and fields is not None:
            for key in ("field", "link_by"):
                value = getattr(indicator.change, key)
                if value is not None and value not in fields:
                    problems.append(
                        Problem(
                            f"unknown field {value!r}: form {indicator.source.form!r} has no such field",
                            f"{where}.change.{key}",
                            "unknown_field",
                        )
                    )
        if indicator.breakdown is not None and fields is not None:
            for category, field in indicator.breakdown.parts.items():
                if field not in fields:
                    problems.append(
                        Problem(
                            f"unknown field {field!r}: form {indicator.source.form!r} has no such field",
                            f"{where}.breakdown.parts.{category}",
                            "unknown_field",
                        )
                    )
        problems += _disaggregation_problems(indicator, where, disaggregations, forms)
        problems += _tag_problems(indicator, where)
    return problems


def theory_of_change_problems(framework: Framework) -> list[Problem]:
    """Links of the theory of change that point at nothing (each naming the box and the id)."""
    toc = framework.theory_of_change
    if toc is None:
        return []
    levels = [
        ("activities", toc.activities, "output", {s.id for s in toc.outputs}),
        ("outputs", toc.outputs, "outcome", {s.id for s in toc.outcomes}),
        ("outcomes", toc.outcomes, "indicator", {i.id for i in framework.indicators}),
    ]
    problems: list[Problem] = []
    every = [s.id for _, steps, _, _ in levels for s in steps]
    problems += [
        Problem(f"duplicate id {name!r} in the theory of change", "theory_of_change", "duplicate_id")
        for name, count in Counter(every).items()
        if count > 1
    ]
    for level, steps, target, known in levels:
        for step in steps:
            for name in step.leads_to:
                if name not in known:
                    problems.append(
                        Problem(
                            f"unknown {target} {name!r}",
                            f"theory_of_change.{level}[{step.id}].leads_to",
                            "unknown_reference",
                        )
                    )
    return problems


def derivation_cycle(framework: Framework) -> list[str]:
    """A circular chain of derived indicators (``[a, b, a]``), or an empty list."""
    from impactkit.surveys.expressions import parse_expression

    reads: dict[str, set[str]] = {}
    for indicator in framework.indicators:
        if indicator.derived is None:
            continue
        try:
            reads[indicator.id] = set(parse_expression(indicator.derived).references)
        except ExpressionError:
            reads[indicator.id] = set()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str]:
        state[name] = 1
        stack.append(name)
        for other in sorted(reads.get(name, ())):
            if state.get(other) == 1:
                return [*stack[stack.index(other) :], other]
            if other in reads and state.get(other) is None:
                found = visit(other)
                if found:
                    return found
        stack.pop()
        state[name] = 2
        return []

    for name in sorted(reads):
        if state.get(name) is None:
            found = visit(name)
            if found:
                return found
    return []


def _derivation_problems(framework: Framework) -> list[Problem]:
    from impactkit.surveys.expressions import parse_expression

    problems: list[Problem] = []
    known = {i.id for i in framework.indicators}
    for indicator in framework.indicators:
        if indicator.derived is None:
            continue
        where = f"indicators[{indicator.id}].derived"
        try:
            expression = parse_expression(indicator.derived)
        except ExpressionError as error:
            detail = error.problems[0].message if error.problems else error.message
            problems.append(Problem(f"cannot parse {indicator.derived!r}: {detail}", where, "bad_expression"))
            continue
        for name in sorted(expression.references):
            if name not in known:
                problems.append(
                    Problem(
                        f"unknown indicator ${{{name}}} (not in this framework)", where, "unknown_indicator"
                    )
                )
    cycle = derivation_cycle(framework)
    if cycle:
        problems.append(
            Problem(
                f"circular definition: {' → '.join(cycle)}",
                f"indicators[{cycle[0]}].derived",
                "circular_definition",
            )
        )
    return problems


def _proxy_reference_problems(framework: Framework) -> list[Problem]:
    from impactkit.frameworks.proxies import shipped_proxy_bank

    own = {p.id for p in framework.proxies}
    try:
        bank = {p.id for p in shipped_proxy_bank().proxies}
    except FrameworkError:
        bank = set()
    problems = [
        Problem(f"duplicate proxy id {name!r}", f"proxies[{name}].id", "duplicate_id")
        for name, count in Counter(p.id for p in framework.proxies).items()
        if count > 1
    ]
    for indicator in framework.indicators:
        if indicator.proxy is not None and indicator.proxy not in own | bank:
            problems.append(
                Problem(
                    f"unknown proxy {indicator.proxy!r}: neither in the proxy bank nor among the "
                    "framework's own proxies (a proxy without a checkable source is not used: "
                    "leave the outcome counted, not monetised)",
                    f"indicators[{indicator.id}].proxy",
                    "unknown_proxy",
                )
            )
    return problems


@functools.cache
def _registry(modified_ns: int) -> dict[str, dict[str, dict[str, Any]]]:
    del modified_ns  # part of the cache key only
    path = data_dir("frameworks") / REGISTRY_FILE
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): dict(v or {}) for k, v in (raw.get("frameworks") or {}).items()}


def published_definitions(framework_id: str) -> dict[str, dict[str, Any]]:
    """indicator id → the computation it was shipped with (``registry/indicators.yaml``)."""
    path = data_dir("frameworks") / REGISTRY_FILE
    if not path.is_file():
        return {}
    return _registry(path.stat().st_mtime_ns).get(framework_id, {})


def definition_problems(framework: Framework, previous: Framework | None = None) -> list[Problem]:
    """Indicators that kept an id but changed what they compute.

    Compared with every definition shipped under the same framework id (and, for a framework
    designed from another, under that one's id), and with ``previous`` (the version published
    before, e.g. from the database). An id names one computation for good: a changed
    definition needs a new id, so that values stay comparable.
    """
    references: list[tuple[str, dict[str, dict[str, Any]]]] = [
        (f"shipped {framework.id}", published_definitions(framework.id))
    ]
    if framework.based_on:
        base = framework.based_on.partition("@")[0]
        references.append((f"shipped {base}", published_definitions(base)))
    if previous is not None:
        references.append(
            (
                f"{previous.id} {previous.version}",
                {i.id: i.computation() for i in previous.indicators},
            )
        )
    problems: list[Problem] = []
    for indicator in framework.indicators:
        now = indicator.computation()
        for origin, definitions in references:
            before = definitions.get(indicator.id)
            if before is None or before == now:
                continue
            changed = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
            for key in changed:
                problems.append(
                    Problem(
                        f"the definition changed without a new id: {key} was "
                        f"{json.dumps(before.get(key), ensure_ascii=False)} in {origin}, now "
                        f"{json.dumps(now.get(key), ensure_ascii=False)}; give the changed "
                        "indicator a new id",
                        f"indicators[{indicator.id}].{key}",
                        "definition_changed",
                    )
                )
            break
    return problems


def _objective_tree_problems(framework: Framework) -> list[Problem]:
    problems = []
    seen: Counter[str] = Counter()
    for theme in framework.themes:
        for objective in theme.objectives:
            seen[objective.id] += 1
            if objective.id.split(".")[0] != theme.id:
                problems.append(
                    Problem(
                        f"objective {objective.id} is listed under theme {theme.id}",
                        f"themes[{theme.id}].objectives[{objective.id}]",
                    )
                )
    problems += [
        Problem(f"duplicate objective id {name!r}", f"objectives[{name}]", "duplicate_id")
        for name, count in seen.items()
        if count > 1
    ]
    if not framework.themes:
        problems.append(Problem("an objective tree needs themes", "themes"))
    return problems


def _sdg_map_problems(framework: Framework) -> list[Problem]:
    problems = []
    known = framework.sdg_target_ids()
    shipped = {f.id: f for f in _shipped_indicator_frameworks()}
    for position, mapping in enumerate(framework.mappings):
        where = f"mappings[{position}]"
        for target in mapping.sdg_targets:
            if target not in known:
                problems.append(Problem(f"unknown SDG target {target!r}", f"{where}.sdg_targets", "unknown"))
        target_framework = shipped.get(mapping.framework)
        if target_framework is None:
            problems.append(Problem(f"unknown framework {mapping.framework!r}", f"{where}.framework"))
        elif mapping.indicator not in {i.id for i in target_framework.indicators}:
            problems.append(
                Problem(
                    f"framework {mapping.framework!r} has no indicator {mapping.indicator!r}",
                    f"{where}.indicator",
                )
            )
        else:
            tagged = target_framework.indicator(mapping.indicator).tags.sdg_targets
            if sorted(tagged) != sorted(mapping.sdg_targets):
                problems.append(
                    Problem(
                        f"the map says {sorted(mapping.sdg_targets)} but indicator "
                        f"{mapping.indicator!r} is tagged {sorted(tagged)}",
                        f"{where}.sdg_targets",
                        "inconsistent",
                    )
                )
    mapped = {(m.framework, m.indicator) for m in framework.mappings}
    for shipped_framework in shipped.values():
        for indicator in shipped_framework.indicators:
            if indicator.tags.sdg_targets and (shipped_framework.id, indicator.id) not in mapped:
                problems.append(
                    Problem(
                        f"indicator {indicator.id!r} of {shipped_framework.id!r} has SDG tags but no mapping",
                        "mappings",
                        "missing",
                    )
                )
    return problems


def _shipped_indicator_frameworks() -> list[Framework]:
    frameworks = []
    for path in sorted(data_dir("frameworks").glob("*.yaml")):
        raw, problems = _read_raw(path)
        if raw is None or problems or raw.get("kind", "indicators") != "indicators":
            continue
        framework, problems = _validate(raw)
        if framework is not None and not problems:
            frameworks.append(framework)
    return frameworks


def framework_problems(
    framework: Framework, forms: FormFields | None = None, previous: Framework | None = None
) -> list[Problem]:
    """Every problem of an already-parsed framework (fields checked against ``forms``).

    Args:
        framework: the framework to check.
        forms: form_id → field names (or survey ``Form`` objects); default the shipped forms.
        previous: the version published before, whose indicator definitions must be kept.
    """
    form_fields = (
        shipped_form_fields()
        if forms is None
        else {form_id: _fields_of(form) for form_id, form in forms.items()}
    )
    if framework.kind == "objective_tree":
        return _objective_tree_problems(framework)
    if framework.kind == "sdg_map":
        return _sdg_map_problems(framework)
    return _indicator_framework_problems(framework, form_fields) + definition_problems(framework, previous)


def check_framework(
    path: str | Path, forms: Mapping[str, Any] | None = None, previous: Framework | None = None
) -> list[Problem]:
    """Check a framework file and return every problem found (an empty list when it is valid).

    Args:
        path: a YAML (or JSON) framework file.
        forms: form_id → field names or survey ``Form``; default the shipped forms.
        previous: the version published before (its indicators keep their definitions).

    Returns:
        Problems, each naming where (``indicators[people_reached].source.expression``) and
        what is wrong (unknown field, bad expression, unknown disaggregation, duplicate id…).
    """
    raw, problems = _read_raw(Path(path))
    if raw is None:
        return problems
    framework, problems = _validate(raw)
    if framework is not None:
        problems += framework_problems(framework, forms, previous)
    return problems


def load_framework(path: str | Path, forms: Mapping[str, Any] | None = None) -> Framework:
    """Load and check a framework file.

    Args:
        path: a YAML (or JSON) framework file.
        forms: form_id → field names or survey ``Form``; default the shipped forms.

    Raises:
        FrameworkError: the file is not a valid framework; ``problems`` lists every problem.
    """
    path = Path(path)
    problems = check_framework(path, forms)
    if problems:
        raise FrameworkError(f"framework file {path.name} is not valid", problems=problems)
    raw, _ = _read_raw(path)
    assert raw is not None
    return Framework.model_validate(raw)


def shipped_frameworks() -> list[Framework]:
    """Every framework shipped in ``frameworks/`` (simplified KPIs, Plan objectives, SDG map).

    Each file is read and checked once, and again only when it changes on disk.
    """
    return [
        _load_shipped(str(path), path.stat().st_mtime_ns)
        for path in sorted(data_dir("frameworks").glob("*.yaml"))
    ]


@functools.lru_cache(maxsize=64)
def _load_shipped(path: str, modified_ns: int) -> Framework:
    del modified_ns  # part of the cache key only
    return load_framework(path)


def get_framework(framework_id: str) -> Framework:
    """The shipped framework with this id (``simplified_kpis`` is read as ``simplified-kpis``:
    framework ids never contain underscores).

    Raises:
        FrameworkError: no shipped framework has this id (the message lists those that exist).
    """
    frameworks = shipped_frameworks()
    wanted = framework_id.replace("_", "-")
    for framework in frameworks:
        if framework.id == wanted:
            return framework
    known = ", ".join(f.id for f in frameworks)
    raise FrameworkError(
        f"no shipped framework {framework_id!r} (shipped: {known})",
        problems=[Problem(f"unknown framework {framework_id!r}", "framework")],
    )


def framework_to_dict(framework: BaseModel) -> dict[str, Any]:
    """A framework as plain JSON-ready data, without empty sections."""
    return framework.model_dump(mode="json", exclude_defaults=True)
