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
from typing import Any, cast, final

from impactkit.errors import ExpressionError, Problem, ResponseError
from impactkit.surveys._answers import InvalidAnswer, clean, coercer, computed, describe
from impactkit.surveys._xpath_functions import FUNCTIONS, Environment
from impactkit.surveys._xpath_nodes import (
    FIELD,
    GROUP,
    REPEAT,
    Element,
    Layout,
    Leaf,
    Location,
    XNode,
    resolve,
)
from impactkit.surveys._xpath_values import is_empty, to_bool, to_number, to_string
from impactkit.surveys.expressions import EvaluationContext, Expression
from impactkit.surveys.model import (
    DEFAULT_LANGUAGE,
    FILE_SELECT_TYPES,
    NO_ANSWER_TYPES,
    Field,
    Form,
    Group,
    Repeat,
    compiled,
    compiled_predicate,
    pick_translation,
)
from impactkit.text import shown

MAX_REPEAT_INSTANCES = 1_000
"""Most instances one repeat may have in one response."""
MAX_TOTAL_INSTANCES = 5_000
"""Most repeat instances one response may have, all repeats together (nested ones too)."""

# --- the plan: a form compiled once for validation -----------------------------------------


@final
@dataclass(slots=True)
class _FieldPlan:
    field: Field
    name: str
    relevant: tuple[int, ...]
    """The rules of the field's relevant and of its enclosing groups' (all must hold)."""
    required: int | None
    """The rule of a ``required`` expression; None when there is none or it is ``true()``."""
    always_required: bool
    constraint: Expression | None
    calculation: Expression | None
    choice_filter: Expression | None
    choices: dict[str, dict[str, Any]] | None
    """choice name -> the columns a choice_filter sees (name, label, other columns)."""
    answered: bool
    """False for the types that never carry an answer (notes)."""
    entered: bool
    """True when a person enters the answer, which is then held to required, the choice list
    and the constraint (as in ODK, a value the form computes itself is not)."""
    checked: bool
    """True when an entered answer has a choice list or a constraint to meet."""
    offered_only: dict[str, dict[str, Any]] | None
    """The choices, when being one of them is all an answer must meet (no filter, no constraint)."""
    coerce: Callable[[Any], Any]
    dated: bool
    """True for date answers, which expressions outside a repeat read back as dates."""
    navigates: bool = False
    """True when its constraint, calculation or choice_filter walks the answers tree."""
    from_device: bool = False
    """A calculate whose value only the device can know (``${last-saved#...}``, random(),
    uuid()): the value sent is kept; the server computes it only when none is sent."""
    keeps_value: bool = False
    """A calculation with once(): the value it already has (the one sent) is kept."""
    choices_from: str | None = None
    """``select_one ${name}``: the field in a repeat whose answers are the choices."""
    repeat_filter: Expression | None = None
    """For ``choices_from``: the choice_filter, read from each instance as pyxform writes it."""


@final
@dataclass(slots=True)
class _RepeatPlan:
    repeat: Repeat
    name: str
    relevant: tuple[int, ...]
    repeat_count: Expression | None
    loop_choices: list[str] | None
    scope: _ScopePlan


@dataclass(slots=True)
class _ScopePlan:
    """The fields and repeats answered in one object (the form, or one repeat instance)."""

    items: list[_FieldPlan | _RepeatPlan] = field(default_factory=list)
    names: dict[str, _FieldPlan | _RepeatPlan] = field(default_factory=dict)
    rules: list[Expression] = field(default_factory=list)
    """The distinct relevant and required expressions. Forms repeat one relevance rule
    (``${consent} = 'yes'``) on every question: it is evaluated once, not once per question."""
    lasting: list[bool] = field(default_factory=list)
    """Per rule: its truth depends only on the fields it names, so it holds until one changes."""
    readers: dict[str, list[int]] = field(default_factory=dict)
    """Field name -> the lasting rules that read it."""
    answerable: list[_FieldPlan] = field(default_factory=list)
    """The fields that take an answer, in form order."""
    repeats: list[_RepeatPlan] = field(default_factory=list)
    settle_twice: bool = False
    """True when the scope has repeats, or a relevant or calculation reads a field that comes
    later in the form: relevance and calculations are then worked out twice."""
    layout: Layout = field(default_factory=lambda: Layout("data"))
    """The container's shape, for paths (see ``_xpath_nodes``)."""
    foreign: frozenset[str] = frozenset()
    """Names not answered in this container or an enclosing one (see ``Container.foreign``)."""
    rule_nodes: list[tuple[str, Any] | None] = field(default_factory=list)
    """Per rule: None, or what node it is evaluated from when it walks the answers tree
    (``("field", name)`` or ``("group", group path)``)."""
    navigating: bool = False
    """True when an expression of the scope walks the answers tree (then sibling instances
    are worked out once more, so that each sees the others' calculations)."""
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """The form's choice lists as ``instance('name')`` items (shared by every scope)."""


def _compile(text: str | None) -> Expression | None:
    return compiled(text) if text else None


def _rule(scope: _ScopePlan, text: str, node: tuple[str, Any]) -> int:
    """The index of the rule ``text`` in ``scope``, added when first seen. A rule that walks
    the answers tree is shared only by items it is evaluated from in the same way."""
    expression = compiled(text)
    where = node if expression.uses_nodes else None
    for index, known in enumerate(scope.rules):
        if known.text == expression.text and scope.rule_nodes[index] == where:
            return index
    index = len(scope.rules)
    scope.rules.append(expression)
    scope.rule_nodes.append(where)
    scope.navigating = scope.navigating or expression.uses_nodes
    lasting = _is_lasting(expression)
    scope.lasting.append(lasting)
    if lasting:
        for name in expression.references:
            scope.readers.setdefault(name, []).append(index)
    return index


def _is_lasting(expression: Expression) -> bool:
    """True when only the fields named as ``${name}`` decide the value: no ``.``, no paths or
    choice columns, only functions that need no form, clock or repeat instances."""
    return (
        not expression.uses_nodes
        and not expression.path_references
        and not expression.uses_current
        and all(FUNCTIONS[name].vectorised for name in expression.functions)
    )


def _build_scope(
    elements: list[Field | Group | Repeat],
    form: Form,
    scope: _ScopePlan,
    inherited: tuple[int, ...],
    groups: tuple[str, ...] = (),
    repeats: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> None:
    layout = scope.layout
    for element in elements:
        if isinstance(element, Group):
            where: tuple[str, Any] = ("group", (*groups, element.name))
        else:
            where = ("field", element.name)
        relevant = inherited + ((_rule(scope, element.relevant, where),) if element.relevant else ())
        if isinstance(element, Group):
            layout.add(groups, element.name, GROUP)
            layout.locations.setdefault(element.name, Location(repeats, groups, GROUP))
            _build_scope(element.children, form, scope, relevant, (*groups, element.name), repeats)
        elif isinstance(element, Repeat):
            layout.add(groups, element.name, REPEAT)
            inside = (*repeats, (element.name, groups))
            layout.locations.setdefault(element.name, Location(inside, (), REPEAT))
            inner = _ScopePlan(lists=scope.lists)
            inner.layout.root_name = layout.root_name
            inner.layout.locations = layout.locations
            inner.layout.repeat_groups = groups
            _build_scope(element.children, form, inner, (), (), inside)
            _finish_scope(inner)
            loop_choices = (
                [c.name for c in form.choices.get(element.loop_over, [])] if element.loop_over else None
            )
            count = _compile(element.repeat_count)
            scope.navigating = scope.navigating or bool(count and count.uses_nodes)
            plan = _RepeatPlan(element, element.name, relevant, count, loop_choices, inner)
            scope.items.append(plan)
            scope.names[element.name] = plan
        else:
            layout.add(groups, element.name, FIELD)
            layout.locations.setdefault(element.name, Location(repeats, groups, FIELD))
            plan_field = _field_plan(element, form, scope, relevant)
            scope.navigating = scope.navigating or plan_field.navigates
            scope.items.append(plan_field)
            scope.names[element.name] = plan_field


_DEVICE_FUNCTIONS = frozenset({"random", "uuid"})


def _field_plan(element: Field, form: Form, scope: _ScopePlan, relevant: tuple[int, ...]) -> _FieldPlan:
    choices: dict[str, dict[str, Any]] | None = None
    if element.list_name is not None and element.type not in FILE_SELECT_TYPES:
        choices = {}
        for choice in form.choices_of(element):
            nodes: dict[str, Any] = dict(choice.columns)
            nodes["name"] = choice.name
            nodes["label"] = pick_translation(choice.label, None, form.default_language) or ""
            choices[choice.name] = nodes
    always_required = False
    required: int | None = None
    if element.required:
        always_required = compiled(element.required).text == "true()"
        required = None if always_required else _rule(scope, element.required, ("field", element.name))
    constraint = _compile(element.constraint)
    calculation = _compile(element.calculation)
    choice_filter = _compile(element.choice_filter)
    answered = element.type not in NO_ANSWER_TYPES
    expressions = [e for e in (constraint, calculation, choice_filter) if e is not None]
    plan = _FieldPlan(
        element,
        element.name,
        relevant,
        required,
        always_required,
        constraint,
        calculation,
        choice_filter,
        choices,
        answered,
        answered and calculation is None,
        choices is not None or constraint is not None or element.choices_from is not None,
        choices if element.choice_filter is None and constraint is None else None,
        coercer(element),
        element.type in ("date", "today"),
        navigates=any(e.uses_nodes for e in expressions),
    )
    if calculation is not None:
        plan.from_device = bool(calculation.last_saved or calculation.functions & _DEVICE_FUNCTIONS)
        plan.keeps_value = "once" in calculation.functions
    if element.choices_from is not None:
        plan.choices_from = element.choices_from
        plan.navigates = True
        if element.choice_filter:
            plan.repeat_filter = compiled_predicate(element.choice_filter)
    return plan


def _finish_scope(scope: _ScopePlan) -> None:
    scope.answerable = [
        item for item in scope.names.values() if isinstance(item, _FieldPlan) and item.answered
    ]
    scope.repeats = [item for item in scope.items if isinstance(item, _RepeatPlan)]
    scope.settle_twice = bool(scope.repeats) or _has_forward_references(scope) or scope.navigating


def _set_foreign(scope: _ScopePlan, enclosing: frozenset[str]) -> None:
    """Give each scope the names it cannot read from the answers in reach (see ``foreign``)."""
    visible = enclosing | {name for name, item in scope.names.items() if isinstance(item, _FieldPlan)}
    scope.foreign = frozenset(scope.layout.locations) - visible
    for repeat in scope.repeats:
        _set_foreign(repeat.scope, visible)


def _secondary_instances(form: Form) -> dict[str, list[dict[str, Any]]]:
    """The choice lists as pyxform writes them into the XForm (``instance('name')``): an item
    per choice with its ``name``, its ``label`` when the list has no translations (translated
    lists carry an ``itextId`` instead), and the other columns of the choices sheet."""
    lists: dict[str, list[dict[str, Any]]] = {}
    for list_name, choices in form.choices.items():
        translated = any(set(choice.label) - {DEFAULT_LANGUAGE} for choice in choices)
        items: list[dict[str, Any]] = []
        for index, choice in enumerate(choices):
            item: dict[str, Any] = {"name": choice.name}
            if translated:
                item["itextId"] = f"{list_name}-{index}"
            elif DEFAULT_LANGUAGE in choice.label:
                item["label"] = choice.label[DEFAULT_LANGUAGE]
            item.update(choice.columns)
            items.append(item)
        lists[list_name] = items
    return lists


def _has_forward_references(scope: _ScopePlan) -> bool:
    """True when a relevant or calculation reads a field that comes later in the form."""
    position = {name: index for index, name in enumerate(scope.names)}
    for index, item in enumerate(scope.items):
        expressions = [scope.rules[rule] for rule in item.relevant]
        if isinstance(item, _FieldPlan) and item.calculation is not None:
            expressions.append(item.calculation)
        for expression in expressions:
            if any(position.get(name, -1) > index for name in expression.references):
                return True
    return False


_PLANS: dict[int, tuple[weakref.ref[Form], _ScopePlan]] = {}


def _plan(form: Form) -> _ScopePlan:
    cached = _PLANS.get(id(form))
    if cached is not None and cached[0]() is form:
        return cached[1]
    scope = _ScopePlan(lists=_secondary_instances(form))
    scope.layout.root_name = form.settings.get("name") or "data"
    _build_scope(list(form.children), form, scope, ())
    _finish_scope(scope)
    _set_foreign(scope, frozenset())
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


@dataclass(frozen=True)
class RepeatState:
    """Where one repeat stands in one place (the form, or an instance of an enclosing repeat)."""

    relevant: bool
    count: int | None
    """The number of instances the form asks for, or None when the respondent decides."""


@dataclass
class FormState:
    """Every field's state and the clean answers: what a page needs to show the next step."""

    fields: list[FieldState]
    answers: dict[str, Any]
    problems: list[Problem]
    repeats: dict[str, RepeatState] = field(default_factory=dict)
    """``answers.household`` (``answers.household[0].visit``...) -> whether the repeat is relevant
    there and how many instances the form asks for (``repeat_count``, ``begin loop over``)."""

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


@dataclass(slots=True)
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
    repeats: dict[str, RepeatState] = field(default_factory=dict)

    def problem(self, location: str, message: str, code: str, **details: Any) -> None:
        self.problems.append(Problem(message, location=location, code=code, details=details))

    def context(self, values: Mapping[str, Any], position: int | None, document: _Scope) -> EvaluationContext:
        # By position: a dataclass binds these several times faster than keywords.
        return EvaluationContext(
            values, None, position, self.today, self.now, None, self.choice_label, 0, None, document
        )

    def choice_label(self, field_name: str, choice: str) -> str | None:
        if self.lists is None:
            self.lists = {f.name: f.list_name for f in self.form.fields() if f.list_name}
        list_name = self.lists.get(field_name)
        if list_name:
            return self.form.choice_label(list_name, choice, self.language)
        return None


class _Scope:
    """One answers object being checked (the form's, or one repeat instance's) and its state.

    It is also a node of the answers tree paths walk (``_xpath_nodes.Container``): the root of
    the answers, or one instance of a repeat inside its parent scope.
    """

    __slots__ = (
        "children",
        "context",
        "environment",
        "foreign",
        "layout",
        "parent",
        "pending",
        "plan",
        "position",
        "prefix",
        "raw",
        "relevance",
        "repeat_answers",
        "repeat_name",
        "repeat_states",
        "rows_problem",
        "run",
        "truths",
        "typed",
        "values",
        "wrong_type",
    )

    def __init__(
        self,
        run: _Run,
        plan: _ScopePlan,
        raw: Mapping[str, Any],
        prefix: str,
        parent: _Scope | None,
        position: int,
        repeat_name: str | None,
    ) -> None:
        self.run = run
        self.plan = plan
        self.raw = raw
        self.prefix = prefix
        self.parent = parent
        self.position = position
        self.repeat_name = repeat_name
        self.layout = plan.layout
        self.foreign = plan.foreign
        self.typed: dict[str, Any] = {}
        self.wrong_type: set[str] = set()
        self.values: Mapping[str, Any] = (
            self.typed
            if parent is None
            else ChainMap(self.typed, cast(MutableMapping[str, Any], parent.values))
        )
        self.children: dict[str, list[_Scope]] = {}
        """Repeat name -> its instances' scopes (relevant repeats only, once settled)."""
        self.pending: list[Problem] = []
        """A repeat instance's reading problems, reported when its repeat proves relevant."""
        self.rows_problem: dict[str, tuple[str, str, str]] = {}
        """Repeat name -> (message, code, expected) when its answer cannot be instances."""
        self.context = run.context(self.values, position if parent is not None else None, self)
        self.environment = Environment(self.context)
        self.relevance: dict[str, bool] = {}
        self.truths: list[bool | None] = []
        """Per rule of the plan: its truth while the fields it reads keep their values."""
        self.repeat_answers: dict[str, list[dict[str, Any]]] = {}
        self.repeat_states: dict[str, list[FieldState]] = {}

    # --- the answers tree, for paths (``_xpath_nodes.Container``) ---------------------------

    def answer(self, name: str) -> Any:
        return self.typed.get(name)

    def instances(self, name: str) -> list[_Scope]:
        return self.children.get(name, [])

    def secondary(self, name: str) -> list[dict[str, Any]] | None:
        return self.plan.lists.get(name)

    # --- checking ---------------------------------------------------------------------------

    def check(self) -> tuple[dict[str, Any], list[FieldState]]:
        """The clean answers and the field states; problems go to the run."""
        self.read_tree()
        self.settle_tree()
        return self.check_tree()

    def read_tree(self) -> None:
        """Type every answer, in this object and in every repeat instance under it: in ODK the
        whole form is there at once, so any expression may read any instance."""
        self.read_answers()
        run = self.run
        for item in self.plan.repeats:
            name = item.name
            rows = self.raw.get(name)
            if rows is None:
                continue
            if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
                self.rows_problem[name] = (
                    f"expected a list of instances (objects), got {describe(rows)}",
                    "wrong_type",
                    "repeat",
                )
                continue
            if len(rows) > MAX_REPEAT_INSTANCES:
                self.rows_problem[name] = (
                    f"more than {MAX_REPEAT_INSTANCES} instances",
                    "too_many_instances",
                    "",
                )
                continue
            run.instances += len(rows)
            if run.instances > MAX_TOTAL_INSTANCES:
                self.rows_problem[name] = (
                    f"the response has more than {MAX_TOTAL_INSTANCES} repeat instances in all",
                    "too_many_instances",
                    "",
                )
                continue
            location = f"{self.prefix}{name}"
            scopes = [
                _Scope(run, item.scope, row, f"{location}[{index}].", self, index + 1, name)
                for index, row in enumerate(rows)
            ]
            self.children[name] = scopes
            for scope in scopes:
                scope.read_tree()

    def settle_tree(self) -> None:
        """Relevance and calculations here, then in each relevant repeat's instances, then here
        again (a calculation here may read theirs, and theirs may read those here)."""
        if self.plan.settle_twice:
            self.settle(record=False)
        for item in self.plan.repeats:
            scopes = self.children.get(item.name)
            if scopes is None:
                continue
            if not self.relevance.get(item.name, True):
                continue
            if item.scope.navigating:  # instances may read each other: a first round for all
                for scope in scopes:
                    scope.settle(record=False)
            for scope in scopes:
                scope.settle_tree()
        self.settle(record=True)
        for item in self.plan.repeats:  # a repeat that is not relevant has no answers
            if not self.relevance[item.name]:
                for scope in self.children.pop(item.name, ()):
                    scope.release()

    def release(self) -> None:
        """Undo the links between scopes (parent, instances, the context's document): without
        that, every checked response would wait for the cyclic garbage collector."""
        for scopes in self.children.values():
            for scope in scopes:
                scope.release()
        self.children = {}
        self.parent = None
        self.context.document = None
        self.context.node = None

    def check_tree(self) -> tuple[dict[str, Any], list[FieldState]]:
        if self.pending:
            self.run.problems.extend(self.pending)
        for item in self.plan.repeats:
            self.check_repeat(item)
        return self.check_fields()

    def evaluate(self, expression: Expression, node: XNode | None = None) -> Any:
        """The value of ``expression`` here; each evaluation has the whole step budget.
        ``node``: the node it belongs to, for expressions that walk the answers tree."""
        environment = self.environment
        environment.steps = 0
        if node is not None:
            self.context.node = node
        return expression.evaluator(environment)

    def node(self, where: tuple[str, Any]) -> XNode:
        kind, name = where
        return Element(self, name) if kind == "group" else Leaf(self, name)

    def read_answers(self) -> None:
        """Refuse unknown names and give each answer its type."""
        raw, names = self.raw, self.plan.names
        problems = self.run.problems if self.parent is None else self.pending
        if not raw.keys() <= names.keys():
            for key in raw:
                if key not in names:
                    problems.append(
                        Problem(
                            f"unknown field {key!r}: the form has no such question here",
                            location=f"{self.prefix}{shown(key)}",
                            code="unknown_field",
                        )
                    )
        typed = self.typed
        for item in self.plan.answerable:
            value = raw.get(item.name)
            if value is None or (value == "" if type(value) is str else is_empty(value)):
                continue
            try:
                typed[item.name] = item.coerce(value)
            except InvalidAnswer as error:
                self.wrong_type.add(item.name)
                problems.append(
                    Problem(
                        str(error),
                        location=self.prefix + item.name,
                        code="wrong_type",
                        details={"expected": item.field.type},
                    )
                )

    def settle(self, record: bool) -> None:
        """Work out, in form order, whether each item is relevant and what each calculation gives."""
        plan, typed, relevance = self.plan, self.typed, self.relevance
        truths: list[bool | None] = [None] * len(plan.rules)
        self.truths = truths
        for item in plan.items:
            relevant = True
            for index in item.relevant:
                truth = truths[index]
                if truth is None:
                    truth = self.rule(index, item.name, "relevant", record)
                if not truth:
                    relevant = False
                    break
            relevance[item.name] = relevant
            if type(item) is _RepeatPlan:  # faster than isinstance, on every item
                continue
            if not relevant:
                if item.name in typed:
                    del typed[item.name]
                    self.changed(item.name)
            elif item.calculation is not None:
                self.calculate(item, item.calculation, record)

    def calculate(self, item: _FieldPlan, calculation: Expression, record: bool) -> None:
        name = item.name
        if item.from_device:
            sent = self.raw.get(name)
            if sent is not None and sent != "" and name not in self.wrong_type:
                try:
                    self.typed[name] = item.coerce(sent)
                    self.changed(name)
                    return
                except InvalidAnswer:
                    pass
        context = self.context
        if item.keeps_value:
            context.current = self.typed.get(name)
        try:
            self.typed[name] = computed(
                item.field, self.evaluate(calculation, Leaf(self, name) if item.navigates else None)
            )
        except ExpressionError as error:
            self.typed.pop(name, None)
            self.failed(name, "calculation", error, record)
        finally:
            context.current = None
        self.changed(name)

    def changed(self, name: str) -> None:
        """Forget the truths of the rules that read ``name``: its value has just changed."""
        for index in self.plan.readers.get(name, ()):
            self.truths[index] = None

    def rule(self, index: int, name: str, column: str, record: bool) -> bool:
        """The truth of rule ``index`` for the item ``name`` (False when it cannot be evaluated)."""
        known = self.truths[index]
        if known is not None:
            return known
        plan = self.plan
        where = plan.rule_nodes[index]
        try:
            truth = to_bool(self.evaluate(plan.rules[index], None if where is None else self.node(where)))
        except ExpressionError as error:
            self.failed(name, column, error, record)
            return False
        if plan.lasting[index]:
            self.truths[index] = truth
        return truth

    def holds(self, expression: Expression, name: str, column: str, node: XNode | None = None) -> bool:
        """The truth of a constraint or choice_filter (False when it cannot be evaluated)."""
        try:
            return to_bool(self.evaluate(expression, node))
        except ExpressionError as error:
            self.failed(name, column, error, record=True)
            return False

    def failed(self, name: str, column: str, error: ExpressionError, record: bool) -> None:
        if record:
            self.run.problem(
                self.prefix + name,
                f"the form's {column} could not be evaluated: {error.message}",
                "expression_failed",
            )

    def check_repeat(self, item: _RepeatPlan) -> None:
        """Check each instance of a relevant repeat, then the number of instances."""
        run, name = self.run, item.name
        location = self.prefix + name
        if not self.relevance[name]:
            return
        problem = self.rows_problem.get(name)
        if problem is not None:
            message, code, expected = problem
            if expected:
                run.problem(location, message, code, expected=expected)
            else:
                run.problem(location, message, code)
            return
        scopes = self.children.get(name)
        if scopes is None:
            return
        answers: list[dict[str, Any]] = []
        states: list[FieldState] = []
        self.repeat_answers[name] = answers
        self.repeat_states[name] = states
        for scope in scopes:
            inner, inner_states = scope.check_tree()
            answers.append(inner)
            states.extend(inner_states)
        _check_count(run, item, self, location, len(scopes))

    def count_of(self, item: _RepeatPlan) -> int | None:
        return _wanted_count(item, self) if self.relevance[item.name] else None

    def check_fields(self) -> tuple[dict[str, Any], list[FieldState]]:
        """Required answers, choices and constraints, in form order -> (clean answers, states)."""
        run, typed, relevance, wrong_type = self.run, self.typed, self.relevance, self.wrong_type
        problems, collect_states = run.problems, run.collect_states
        answers: dict[str, Any] = {}
        states: list[FieldState] = []
        for item in self.plan.items:
            name = item.name
            if type(item) is _RepeatPlan:  # faster than isinstance, on every item
                if relevance[name] and name in self.repeat_answers:
                    answers[name] = self.repeat_answers[name]
                states.extend(self.repeat_states.get(name, []))
                if collect_states:
                    run.repeats[self.prefix + name] = RepeatState(relevance[name], self.count_of(item))
                continue
            if not relevance[name]:
                if collect_states:
                    states.append(self.state(item, False, False, None, len(problems)))
                continue
            value = typed.get(name)
            required = item.always_required or (
                item.required is not None and self.rule(item.required, name, "required", True)
            )
            errors_before = len(problems) if collect_states else 0
            empty = value is None or (value == "" if type(value) is str else is_empty(value))
            if item.entered and name not in wrong_type:
                if empty:
                    if required:
                        self.require(item)
                elif item.checked and not (
                    item.offered_only and type(value) is str and value in item.offered_only
                ):
                    self.check_answer(item, value)
            output = None if empty else value if type(value) is str else clean(value)
            if output is not None:
                answers[name] = output
            if collect_states:
                states.append(self.state(item, True, required, output, errors_before))
        return answers, states

    def require(self, item: _FieldPlan) -> None:
        run = self.run
        message = pick_translation(item.field.required_message, run.language, run.form.default_language)
        run.problem(self.prefix + item.name, message or "an answer is required", "required")

    def check_answer(self, item: _FieldPlan, value: Any) -> None:
        """An entered answer against its choice list and its constraint."""
        choices = item.choices
        if choices is not None and not (
            type(value) is str and value in choices and item.choice_filter is None
        ):
            self.check_choices(item, choices, value)
        elif item.choices_from is not None:
            self.check_repeat_choices(item, value)
        if item.constraint is None:
            return
        self.context.current = value
        holds = self.holds(
            item.constraint, item.name, "constraint", Leaf(self, item.name) if item.navigates else None
        )
        self.context.current = None
        if not holds:
            field_, run = item.field, self.run
            message = pick_translation(field_.constraint_message, run.language, run.form.default_language)
            run.problem(
                self.prefix + item.name,
                message or f"the answer does not meet the constraint {field_.constraint}",
                "constraint",
                constraint=field_.constraint,
            )

    def check_choices(self, item: _FieldPlan, choices: dict[str, dict[str, Any]], value: Any) -> None:
        if item.choice_filter is None and type(value) is list:  # all well: in one pass
            distinct = set(value)
            if len(distinct) == len(value) and choices.keys() >= distinct:
                return
        chosen = value if isinstance(value, list) else [value]
        list_name = item.field.list_name
        location = self.prefix + item.name
        node = Leaf(self, item.name) if item.navigates else None
        for choice in chosen:
            nodes = choices.get(choice)
            if nodes is None:
                self.run.problem(
                    location,
                    f"{choice!r} is not a choice of list {list_name!r}",
                    "not_a_choice",
                    list_name=list_name,
                )
                continue
            if item.choice_filter is not None:
                self.context.nodes = nodes
                offered = self.holds(item.choice_filter, item.name, "choice_filter", node)
                self.context.nodes = None
                if not offered:
                    self.run.problem(
                        location,
                        f"{choice!r} is not offered here: the choice_filter "
                        f"{item.field.choice_filter} excludes it",
                        "choice_filtered",
                        list_name=list_name,
                    )
        if len(set(chosen)) != len(chosen):
            self.run.problem(location, "a choice is selected more than once", "duplicate_choice")

    def repeat_choices(self, item: _FieldPlan) -> tuple[list[str], set[str]]:
        """For ``select_one ${name}``: the answers to ``name`` across its repeat's instances (the
        choices, in order, without repeats) and those the choice_filter offers here."""
        source = item.choices_from or ""
        location = self.layout.locations.get(source)
        if location is None:
            return [], set()
        names: list[str] = []
        offered: set[str] = set()
        environment = self.environment
        for leaf in resolve(location, source, self, bind=False):
            if type(leaf) is not Leaf:
                continue
            value = leaf.value()
            if is_empty(value):
                continue
            text = to_string(value)
            if text not in names:
                names.append(text)
            if item.repeat_filter is None:
                offered.add(text)
                continue
            self.context.node = Leaf(self, item.name)
            environment.steps = 0
            environment.focus = Element(leaf.container, ())
            try:
                if to_bool(item.repeat_filter.evaluator(environment)):
                    offered.add(text)
            except ExpressionError as error:
                self.failed(item.name, "choice_filter", error, record=True)
            finally:
                environment.focus = None
        return names, offered

    def check_repeat_choices(self, item: _FieldPlan, value: Any) -> None:
        names, offered = self.repeat_choices(item)
        chosen = value if isinstance(value, list) else [value]
        location = self.prefix + item.name
        for choice in chosen:
            if choice not in names:
                self.run.problem(
                    location,
                    f"{choice!r} is not one of the answers to ${{{item.choices_from}}}",
                    "not_a_choice",
                    choices_from=item.choices_from,
                )
            elif choice not in offered:
                self.run.problem(
                    location,
                    f"{choice!r} is not offered here: the choice_filter "
                    f"{item.field.choice_filter} excludes it",
                    "choice_filtered",
                    choices_from=item.choices_from,
                )
        if len(set(chosen)) != len(chosen):
            self.run.problem(location, "a choice is selected more than once", "duplicate_choice")

    def state(
        self, item: _FieldPlan, relevant: bool, required: bool, value: Any, errors_before: int
    ) -> FieldState:
        location = self.prefix + item.name
        return FieldState(
            name=item.name,
            location=location,
            type=item.field.type,
            relevant=relevant,
            required=required,
            value=value,
            errors=[p.message for p in self.run.problems[errors_before:] if p.location == location],
            read_only=item.field.read_only is not None,
        )


def _wanted_count(item: _RepeatPlan, scope: _Scope) -> int | None:
    """How many instances the form asks for here (repeat_count; one per choice when looping
    over a list); None when it does not say or its count cannot be worked out."""
    if item.repeat_count is None:
        return None if item.loop_choices is None else len(item.loop_choices)
    node = Leaf(scope, item.name) if item.repeat_count.uses_nodes else None
    try:
        wanted = to_number(scope.evaluate(item.repeat_count, node))
    except ExpressionError:
        return None
    if math.isnan(wanted) or wanted < 0:
        return 0  # a count not answered yet: no instance, as in ODK
    return min(int(wanted), MAX_REPEAT_INSTANCES) if math.isfinite(wanted) else None


def _check_count(run: _Run, item: _RepeatPlan, scope: _Scope, location: str, count: int) -> None:
    if item.loop_choices is not None and count > len(item.loop_choices):
        run.problem(location, f"at most {len(item.loop_choices)} instances (one per choice)", "repeat_count")
    if item.repeat_count is None:
        return
    node = Leaf(scope, item.name) if item.repeat_count.uses_nodes else None
    try:
        wanted = to_number(scope.evaluate(item.repeat_count, node))
    except ExpressionError:
        return
    if math.isfinite(wanted) and wanted >= 0 and count != int(wanted):
        run.problem(
            location,
            f"expected {int(wanted)} instance(s) (repeat_count {item.repeat.repeat_count}), got {count}",
            "repeat_count",
        )


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
    if type(answers) is not dict and not isinstance(answers, Mapping):
        run.problem(
            "answers",
            f"expected an object of answers keyed by field name, got {describe(answers)}",
            "wrong_type",
        )
        return FormState([], {}, run.problems)
    scope = _Scope(run, _plan(form), answers, "answers.", None, 1, None)
    try:
        clean_answers, states = scope.check()
    finally:
        scope.release()
    return FormState(states, clean_answers, run.problems, run.repeats)


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


__all__ = ["FieldState", "FormState", "RepeatState", "evaluate_form", "validate_response"]
