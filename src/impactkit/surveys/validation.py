"""Response validation: answers (a JSON object keyed by field name) checked against their form.

Groups are transparent (their fields sit in the same object); a repeat's answer is a list of
objects, one per instance. Problems are located as ``answers.<name>`` or
``answers.<repeat>[<0-based index>].<name>``.

    >>> from impactkit.surveys import Field, Form
    >>> form = Form(form_id="demo", version="1", title="Demo",
    ...             children=[Field(name="age", type="integer", required="true()")])
    >>> validate_response(form, {"age": "42"})
    {'age': 42}
"""

from __future__ import annotations

import math
import weakref
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from impactkit.errors import ExpressionError, Problem, ResponseError
from impactkit.surveys._answers import InvalidAnswer, clean, coerce, computed, describe
from impactkit.surveys._xpath_values import is_empty, to_bool, to_number
from impactkit.surveys.expressions import EvaluationContext, Expression
from impactkit.surveys.model import (
    FILE_SELECT_TYPES,
    NO_ANSWER_TYPES,
    Field,
    Form,
    Group,
    Repeat,
    compiled,
    pick_translation,
)

MAX_REPEAT_INSTANCES = 1_000
"""Most instances one repeat may have in one response."""
MAX_TOTAL_INSTANCES = 5_000
"""Most repeat instances one response may have, all repeats together (nested ones too)."""

# --- the plan: a form compiled once for validation -----------------------------------------


@dataclass
class _FieldPlan:
    field: Field
    relevant: tuple[Expression, ...]
    """The field's own relevant and those of its enclosing groups (all must hold)."""
    required: Expression | None
    constraint: Expression | None
    calculation: Expression | None
    choice_filter: Expression | None
    choices: dict[str, dict[str, Any]] | None
    """choice name -> the columns a choice_filter sees (name, label, other columns)."""


@dataclass
class _RepeatPlan:
    repeat: Repeat
    relevant: tuple[Expression, ...]
    repeat_count: Expression | None
    loop_choices: list[str] | None
    scope: _ScopePlan


@dataclass
class _ScopePlan:
    """The fields and repeats answered in one object (the form, or one repeat instance)."""

    items: list[_FieldPlan | _RepeatPlan] = field(default_factory=list)
    names: dict[str, _FieldPlan | _RepeatPlan] = field(default_factory=dict)
    forward_references: bool = False
    """True when a relevant or calculation reads a field that comes later in the form."""


def _compile(text: str | None) -> Expression | None:
    return compiled(text) if text else None


def _build_scope(
    elements: list[Field | Group | Repeat], form: Form, scope: _ScopePlan, inherited: tuple[Expression, ...]
) -> None:
    for element in elements:
        relevant = inherited + ((compiled(element.relevant),) if element.relevant else ())
        if isinstance(element, Group):
            _build_scope(element.children, form, scope, relevant)
        elif isinstance(element, Repeat):
            inner = _ScopePlan()
            _build_scope(element.children, form, inner, ())
            _mark_forward_references(inner)
            loop_choices = (
                [c.name for c in form.choices.get(element.loop_over, [])] if element.loop_over else None
            )
            plan = _RepeatPlan(element, relevant, _compile(element.repeat_count), loop_choices, inner)
            scope.items.append(plan)
            scope.names[element.name] = plan
        else:
            choices: dict[str, dict[str, Any]] | None = None
            if element.list_name is not None and element.type not in FILE_SELECT_TYPES:
                choices = {}
                for choice in form.choices_of(element):
                    nodes: dict[str, Any] = dict(choice.columns)
                    nodes["name"] = choice.name
                    nodes["label"] = pick_translation(choice.label, None, form.default_language) or ""
                    choices[choice.name] = nodes
            required = element.required
            plan_field = _FieldPlan(
                element,
                relevant,
                _compile(required),
                _compile(element.constraint),
                _compile(element.calculation),
                _compile(element.choice_filter),
                choices,
            )
            scope.items.append(plan_field)
            scope.names[element.name] = plan_field


def _mark_forward_references(scope: _ScopePlan) -> None:
    position = {name: index for index, name in enumerate(scope.names)}
    for index, item in enumerate(scope.items):
        expressions = list(item.relevant)
        if isinstance(item, _FieldPlan) and item.calculation is not None:
            expressions.append(item.calculation)
        for expression in expressions:
            if any(position.get(name, -1) > index for name in expression.references):
                scope.forward_references = True
                return


_PLANS: dict[int, tuple[weakref.ref[Form], _ScopePlan]] = {}


def _plan(form: Form) -> _ScopePlan:
    cached = _PLANS.get(id(form))
    if cached is not None and cached[0]() is form:
        return cached[1]
    scope = _ScopePlan()
    _build_scope(list(form.children), form, scope, ())
    _mark_forward_references(scope)
    key = id(form)
    _PLANS[key] = (weakref.ref(form, lambda _: _PLANS.pop(key, None)), scope)
    return scope


# --- the result ----------------------------------------------------------------------------


@dataclass
class FieldState:
    """Where one field stands for these answers."""

    name: str
    location: str
    """``answers.age`` or ``answers.household[0].age``."""
    type: str
    relevant: bool
    required: bool
    value: Any
    """The clean (JSON) value, None when unanswered or not relevant."""
    errors: list[str] = field(default_factory=list)
    read_only: bool = False


@dataclass
class FormState:
    """Every field's state and the clean answers: what a page needs to show the next step."""

    fields: list[FieldState]
    answers: dict[str, Any]
    problems: list[Problem]

    @property
    def valid(self) -> bool:
        """True when the answers have no problem."""
        return not self.problems

    def field(self, location: str) -> FieldState | None:
        """The state at ``answers.<name>`` (or ``<name>``), or None."""
        if not location.startswith("answers."):
            location = "answers." + location
        return next((state for state in self.fields if state.location == location), None)


# --- evaluation ----------------------------------------------------------------------------


@dataclass
class _Run:
    form: Form
    today: date
    now: datetime
    language: str | None
    collect_states: bool = True
    problems: list[Problem] = field(default_factory=list)
    instances: int = 0
    lists: dict[str, str | None] | None = None
    """Field name -> choice list, built on first use by jr:choice-name."""
    memo: dict[tuple[Any, ...], bool] = field(default_factory=dict)
    """Truth of pure expressions by their inputs: forms repeat one relevance rule
    (``${consent} = 'yes'``) on every question, so it is evaluated once per response."""

    def problem(self, location: str, message: str, code: str, **details: Any) -> None:
        self.problems.append(Problem(message, location=location, code=code, details=details))

    def context(
        self, values: Mapping[str, Any], collect: Callable[[str], list[Any]], position: int | None
    ) -> EvaluationContext:
        return EvaluationContext(
            values=values,
            position=position,
            today=self.today,
            now=self.now,
            collect=collect,
            choice_label=self.choice_label,
        )

    def choice_label(self, field_name: str, choice: str) -> str | None:
        if self.lists is None:
            self.lists = {f.name: f.list_name for f in self.form.fields() if f.list_name}
        list_name = self.lists.get(field_name)
        if list_name:
            return self.form.choice_label(list_name, choice, self.language)
        return None

    def truth(
        self,
        expression: Expression,
        context: EvaluationContext,
        location: str,
        column: str,
        record: bool = True,
    ) -> bool:
        key = _memo_key(expression, context)
        if key is not None:
            known = self.memo.get(key)
            if known is not None:
                return known
        try:
            truth = to_bool(expression.evaluate(context))
        except ExpressionError as error:
            if record:
                self.problem(
                    location,
                    f"the form's {column} could not be evaluated: {error.message}",
                    "expression_failed",
                )
            return False
        if key is not None:
            self.memo[key] = truth
        return truth


_IMPURE_FUNCTIONS = frozenset(
    {
        "now",
        "today",
        "random",
        "uuid",
        "position",
        "current",
        "once",
        "indexed-repeat",
        "count",
        "sum",
        "max",
        "min",
        "jr:choice-name",
        "decimal-date-time",
        "format-date",
    }
)


_MEMO_PLANS: dict[str, tuple[str, ...] | None] = {}
"""Expression text -> the names its result depends on, or None when it depends on more."""


def _memo_plan(expression: Expression) -> tuple[str, ...] | None:
    plan = _MEMO_PLANS.get(expression.text, ())
    if plan == ():
        impure = (
            expression.path_references or expression.functions & _IMPURE_FUNCTIONS or "." in expression.text
        )
        plan = None if impure else tuple(sorted(expression.references))
        if len(_MEMO_PLANS) < 50_000:
            _MEMO_PLANS[expression.text] = plan
    return plan


def _memo_key(expression: Expression, context: EvaluationContext) -> tuple[Any, ...] | None:
    """A key that fixes the expression's result, or None when it depends on more than the
    values it names (the current node, paths, the clock, repeats)."""
    names = _memo_plan(expression)
    if names is None:
        return None
    values = context.values
    inputs: list[Any] = [expression.text]
    for name in names:
        value = values.get(name)
        if isinstance(value, list):
            if any(isinstance(item, dict) for item in value):
                return None
            value = tuple(value)
        elif isinstance(value, dict):
            return None
        inputs.append(value)
    return tuple(inputs)


def _evaluate_scope(
    run: _Run,
    scope: _ScopePlan,
    raw: Mapping[str, Any],
    prefix: str,
    parent_values: Mapping[str, Any] | None,
    position: int | None,
) -> tuple[dict[str, Any], list[FieldState]]:
    """Check one answers object (the form, or a repeat instance) -> (clean answers, states)."""
    for key in raw:
        if key not in scope.names:
            run.problem(
                f"{prefix}{key}",
                f"unknown field {key!r}: the form has no such question here",
                "unknown_field",
            )

    typed: dict[str, Any] = {}
    wrong_type: set[str] = set()
    for name, item in scope.names.items():
        if isinstance(item, _FieldPlan) and name in raw:
            value = raw[name]
            if item.field.type in NO_ANSWER_TYPES or is_empty(value):
                continue
            try:
                typed[name] = coerce(item.field, value)
            except InvalidAnswer as error:
                wrong_type.add(name)
                run.problem(f"{prefix}{name}", str(error), "wrong_type", expected=item.field.type)

    instances: dict[str, list[dict[str, Any]]] = {}
    values: Mapping[str, Any] = (
        typed if parent_values is None else ChainMap(typed, cast(MutableMapping[str, Any], parent_values))
    )

    def collect(name: str) -> list[Any]:
        if name in instances:
            return list(instances[name])
        for repeat_name, rows in instances.items():
            plan = scope.names[repeat_name]
            if isinstance(plan, _RepeatPlan) and name in plan.scope.names:
                return [row.get(name) for row in rows]
        value = values.get(name)
        return [] if value is None else [value]

    relevance: dict[str, bool] = {}
    context = run.context(values, collect, position)

    def relevance_and_calculations(record: bool) -> None:
        for item in scope.items:
            name = item.repeat.name if isinstance(item, _RepeatPlan) else item.field.name
            location = f"{prefix}{name}"
            relevant = not item.relevant or all(
                run.truth(e, context, location, "relevant", record) for e in item.relevant
            )
            relevance[name] = relevant
            if isinstance(item, _RepeatPlan):
                continue
            if not relevant:
                typed.pop(name, None)
            elif item.calculation is not None:
                try:
                    typed[name] = computed(item.field, item.calculation.evaluate(context))
                except ExpressionError as error:
                    typed.pop(name, None)
                    if record:
                        run.problem(
                            location,
                            f"the form's calculation could not be evaluated: {error.message}",
                            "expression_failed",
                        )

    has_repeats = any(isinstance(item, _RepeatPlan) for item in scope.items)
    if scope.forward_references or has_repeats:
        relevance_and_calculations(record=False)

    repeat_answers: dict[str, list[dict[str, Any]]] = {}
    repeat_states: dict[str, list[FieldState]] = {}
    for item in scope.items:
        if not isinstance(item, _RepeatPlan):
            continue
        name = item.repeat.name
        location = f"{prefix}{name}"
        instances[name] = []
        rows = raw.get(name)
        if not relevance[name] or rows is None:
            continue
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            run.problem(
                location,
                f"expected a list of instances (objects), got {describe(rows)}",
                "wrong_type",
                expected="repeat",
            )
            continue
        if len(rows) > MAX_REPEAT_INSTANCES:
            run.problem(location, f"more than {MAX_REPEAT_INSTANCES} instances", "too_many_instances")
            continue
        run.instances += len(rows)
        if run.instances > MAX_TOTAL_INSTANCES:
            run.problem(
                location,
                f"the response has more than {MAX_TOTAL_INSTANCES} repeat instances in all",
                "too_many_instances",
            )
            continue
        repeat_answers[name] = []
        repeat_states[name] = []
        for index, row in enumerate(rows):
            inner, inner_states = _evaluate_scope(
                run, item.scope, row, f"{location}[{index}].", values, index + 1
            )
            repeat_answers[name].append(inner)
            repeat_states[name].extend(inner_states)
            instances[name].append(_typed_view(item.scope, inner))
        _check_count(run, item, context, location, len(rows))

    relevance_and_calculations(record=True)

    answers: dict[str, Any] = {}
    states: list[FieldState] = []
    for item in scope.items:
        if isinstance(item, _RepeatPlan):
            name = item.repeat.name
            if relevance[name] and name in repeat_answers:
                answers[name] = repeat_answers[name]
            states.extend(repeat_states.get(name, []))
            continue
        field_ = item.field
        name = field_.name
        location = f"{prefix}{name}"
        relevant = relevance[name]
        value = typed.get(name) if relevant else None
        required = False
        if relevant and item.required is not None:
            required = item.required.text == "true()" or run.truth(
                item.required, context, location, "required"
            )
        errors_before = len(run.problems)
        if relevant and field_.type not in NO_ANSWER_TYPES and name not in wrong_type:
            if is_empty(value):
                if required and item.calculation is None:
                    message = pick_translation(
                        field_.required_message, run.language, run.form.default_language
                    )
                    run.problem(location, message or "an answer is required", "required")
            elif item.calculation is None:
                # As in ODK, constraints and choice lists check what a person entered; a value
                # the form computes itself is not held to them.
                _check_choices(run, item, value, context, location)
                if item.constraint is not None:
                    context.current = value
                    holds = run.truth(item.constraint, context, location, "constraint")
                    context.current = None
                    if not holds:
                        message = pick_translation(
                            field_.constraint_message, run.language, run.form.default_language
                        )
                        run.problem(
                            location,
                            message or f"the answer does not meet the constraint {field_.constraint}",
                            "constraint",
                            constraint=field_.constraint,
                        )
        output = clean(value) if relevant and not is_empty(value) else None
        if output is not None:
            answers[name] = output
        if not run.collect_states:
            continue
        states.append(
            FieldState(
                name=name,
                location=location,
                type=field_.type,
                relevant=relevant,
                required=required,
                value=output,
                errors=[p.message for p in run.problems[errors_before:] if p.location == location],
                read_only=field_.read_only is not None,
            )
        )
    return answers, states


def _typed_view(scope: _ScopePlan, answers: dict[str, Any]) -> dict[str, Any]:
    """Clean answers back to expression values (dates as dates) for sum()/count() from outside."""
    view: dict[str, Any] = {}
    for name, value in answers.items():
        item = scope.names.get(name)
        if isinstance(item, _FieldPlan) and isinstance(value, str) and item.field.type in ("date", "today"):
            view[name] = date.fromisoformat(value)
            continue
        view[name] = value
    return view


def _check_count(run: _Run, item: _RepeatPlan, context: EvaluationContext, location: str, count: int) -> None:
    if item.loop_choices is not None and count > len(item.loop_choices):
        run.problem(location, f"at most {len(item.loop_choices)} instances (one per choice)", "repeat_count")
    if item.repeat_count is None:
        return
    try:
        wanted = to_number(item.repeat_count.evaluate(context))
    except ExpressionError:
        return
    if not math.isnan(wanted) and wanted >= 0 and count != int(wanted):
        run.problem(
            location,
            f"expected {int(wanted)} instance(s) (repeat_count {item.repeat.repeat_count}), got {count}",
            "repeat_count",
        )


def _check_choices(
    run: _Run, item: _FieldPlan, value: Any, context: EvaluationContext, location: str
) -> None:
    if item.choices is None:
        return
    chosen = value if isinstance(value, list) else [value]
    list_name = item.field.list_name
    for choice in chosen:
        nodes = item.choices.get(choice)
        if nodes is None:
            run.problem(
                location,
                f"{choice!r} is not a choice of list {list_name!r}",
                "not_a_choice",
                list_name=list_name,
            )
            continue
        if item.choice_filter is not None:
            context.nodes = nodes
            offered = run.truth(item.choice_filter, context, location, "choice_filter")
            context.nodes = None
            if not offered:
                run.problem(
                    location,
                    f"{choice!r} is not offered here: the choice_filter "
                    f"{item.field.choice_filter} excludes it",
                    "choice_filtered",
                    list_name=list_name,
                )
    if len(set(chosen)) != len(chosen):
        run.problem(location, "a choice is selected more than once", "duplicate_choice")


def evaluate_form(
    form: Form,
    answers: Mapping[str, Any],
    *,
    today: date | None = None,
    now: datetime | None = None,
    language: str | None = None,
    collect_states: bool = True,
) -> FormState:
    """Work out every field's state for these (possibly partial) answers.

    Args:
        form: the form version the answers belong to.
        answers: field name -> answer; a repeat's answer is a list of objects.
        today: the date ``today()`` means (default: the machine's date).
        now: the moment ``now()`` means (default: the machine's clock).
        language: language name or code for the form's messages (default: the form's).
        collect_states: False skips building the per-field states (faster; validation only).

    Returns:
        A :class:`FormState`: per field relevant / required / value / errors, the clean
        answers (calculates computed, non-relevant answers dropped) and every problem.
    """
    moment = now or datetime.now()
    run = _Run(form, today or moment.date(), moment, language, collect_states)
    if not isinstance(answers, Mapping):
        run.problem(
            "answers",
            f"expected an object of answers keyed by field name, got {describe(answers)}",
            "wrong_type",
        )
        return FormState([], {}, run.problems)
    clean_answers, states = _evaluate_scope(run, _plan(form), answers, "answers.", None, None)
    return FormState(states, clean_answers, run.problems)


def validate_response(
    form: Form,
    answers: Mapping[str, Any],
    *,
    today: date | None = None,
    now: datetime | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """Check a complete response and return its clean answers.

    Returns:
        JSON-ready answers: ints, floats, ISO dates and times, select_multiple as a list of
        choice names, geopoint as ``"lat lon alt acc"``; calculates computed on the server;
        answers to questions that are not relevant dropped.

    Raises:
        ResponseError: with every problem, each located ``answers.<name>`` or
            ``answers.<repeat>[<index>].<name>`` (index from 0).
    """
    state = evaluate_form(form, answers, today=today, now=now, language=language, collect_states=False)
    if state.problems:
        count = len(state.problems)
        raise ResponseError(
            f"the response does not fit form {form.form_id!r} version {form.version!r}"
            + (f" ({count} problems)" if count > 1 else ""),
            problems=state.problems,
        )
    return state.answers


__all__ = ["FieldState", "FormState", "evaluate_form", "validate_response"]
