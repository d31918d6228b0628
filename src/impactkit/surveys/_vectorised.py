"""Column-wise evaluation of an expression tree over a pandas DataFrame (for KPIs on many rows).

Numeric work runs on numpy arrays; anything else falls back to the scalar XPath semantics
applied row by row, so both paths give the same answers as :meth:`Expression.evaluate`.
A missing cell (NaN, None, NA) reads as an unanswered field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from impactkit.errors import ExpressionError, Problem
from impactkit.surveys._xpath_functions import FUNCTIONS, Environment
from impactkit.surveys._xpath_values import arithmetic, compare, to_bool, to_number

if TYPE_CHECKING:
    from impactkit.surveys.expressions import Node

Value = Any  # a scalar or a pandas Series


def _refuse(message: str) -> ExpressionError:
    return ExpressionError(message, problems=[Problem(message, code="expression_not_vectorised")])


def cell(value: Any) -> Any:
    """A frame cell as the scalar evaluator sees it: missing is None, numpy becomes Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _is_numeric_series(value: Value) -> bool:
    return (
        isinstance(value, pd.Series)
        and pd.api.types.is_numeric_dtype(value.dtype)
        and not pd.api.types.is_bool_dtype(value.dtype)
    )


def _is_number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric_like(value: Value) -> bool:
    return _is_numeric_series(value) or _is_number(value)


def _as_float(value: Value) -> Any:
    if isinstance(value, pd.Series):
        return value.to_numpy(dtype="float64", na_value=np.nan)
    return float(value)


class _Evaluator:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.index = frame.index
        self.length = len(frame)
        from impactkit.surveys.expressions import EvaluationContext

        self.environment = Environment(EvaluationContext())

    def series(self, data: Any, dtype: Any = None) -> pd.Series:
        built: pd.Series = pd.Series(data, index=self.index, dtype=dtype)
        return built

    def column(self, value: Value) -> list[Any]:
        if isinstance(value, pd.Series):
            return [cell(v) for v in value.tolist()]
        return [value] * self.length

    def elementwise(self, function: Callable[..., Any], *operands: Value) -> pd.Series:
        columns = [self.column(operand) for operand in operands]
        results = [function(*row) for row in zip(*columns, strict=True)]
        return self.series(results, dtype=object)

    def evaluate(self, node: Node) -> Value:
        from impactkit.surveys.expressions import (
            Binary,
            Call,
            Current,
            Literal,
            Negate,
            Path,
            Reference,
        )

        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Reference) and not node.in_predicate:
            return self.column_named(node.name, f"${{{node.name}}}")
        if (
            isinstance(node, Path)
            and not isinstance(node.base, Path | Reference | Call)
            and node.name is not None
            and not node.base_predicates
            and not any(step.predicates for step in node.steps)
            and (node.base is None or node.base == "/")
        ):
            return self.column_named(node.name, node.name)  # a table's columns are the fields
        if isinstance(node, Negate):
            operand = self.evaluate(node.operand)
            if _numeric_like(operand):
                return -_as_float(operand) if _is_number(operand) else self.series(-_as_float(operand))
            return self.elementwise(lambda v: -to_number(v), operand)
        if isinstance(node, Binary):
            return self.binary(node.operator, self.evaluate(node.left), self.evaluate(node.right))
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Current):
            raise _refuse("'.' and current() cannot be evaluated over a table (evaluate_frame)")
        raise _refuse("paths with predicates, instance() and '..' cannot be evaluated over a table")

    def column_named(self, name: str, written: str) -> pd.Series:
        if name not in self.frame.columns:
            message = f"the table has no column {name!r} for {written}"
            raise ExpressionError(message, problems=[Problem(message, location=name, code="missing_column")])
        return self.frame[name]

    def boolean(self, value: Value) -> Value:
        if not isinstance(value, pd.Series):
            return to_bool(value)
        if pd.api.types.is_bool_dtype(value.dtype):
            return value.fillna(False).astype(bool)
        if _is_numeric_series(value):
            numbers = _as_float(value)
            with np.errstate(invalid="ignore"):
                return self.series((numbers != 0) & ~np.isnan(numbers))
        return self.series([to_bool(v) for v in self.column(value)], dtype=bool)

    def binary(self, operator: str, left: Value, right: Value) -> Value:
        if not isinstance(left, pd.Series) and not isinstance(right, pd.Series):
            if operator == "and":
                return to_bool(left) and to_bool(right)
            if operator == "or":
                return to_bool(left) or to_bool(right)
            if operator in ("=", "!=", "<", "<=", ">", ">="):
                return compare(operator, left, right)
            return arithmetic(operator, left, right)
        if operator == "and":
            return self.series(np.asarray(self.boolean(left)) & np.asarray(self.boolean(right)))
        if operator == "or":
            return self.series(np.asarray(self.boolean(left)) | np.asarray(self.boolean(right)))
        if operator in ("=", "!=", "<", "<=", ">", ">="):
            return self.comparison(operator, left, right)
        if _numeric_like(left) and _numeric_like(right):
            a, b = _as_float(left), _as_float(right)
            with np.errstate(all="ignore"):
                if operator == "+":
                    result = a + b
                elif operator == "-":
                    result = a - b
                elif operator == "*":
                    result = a * b
                elif operator == "div":
                    result = np.true_divide(a, b)
                else:
                    result = np.fmod(a, b)
            return self.series(result, dtype="float64")
        result = self.elementwise(lambda a, b: arithmetic(operator, a, b), left, right)
        return result.astype("float64")

    def comparison(self, operator: str, left: Value, right: Value) -> pd.Series:
        def scalar(a: Any, b: Any) -> bool:
            return compare(operator, a, b)

        numeric_left, numeric_right = _numeric_like(left), _numeric_like(right)
        string_scalar = isinstance(left, str) or isinstance(right, str)
        if (numeric_left and numeric_right) or (
            string_scalar and (_is_numeric_series(left) or _is_numeric_series(right))
        ):
            a = _as_float(left) if numeric_left else to_number(left)
            b = _as_float(right) if numeric_right else to_number(right)
            with np.errstate(invalid="ignore"):
                ops: dict[str, Callable[[Any, Any], Any]] = {
                    "=": np.equal,
                    "!=": np.not_equal,
                    "<": np.less,
                    "<=": np.less_equal,
                    ">": np.greater,
                    ">=": np.greater_equal,
                }
                result = np.asarray(ops[operator](a, b), dtype=bool)
                if result.shape == ():
                    result = np.full(self.length, bool(result))
            missing = np.zeros(self.length, dtype=bool)
            for side in (left, right):
                if isinstance(side, pd.Series):
                    missing |= side.isna().to_numpy()
            if missing.any():
                positions = np.flatnonzero(missing)
                left_cells = self.column(left)
                right_cells = self.column(right)
                for position in positions:
                    result[position] = scalar(left_cells[position], right_cells[position])
            return self.series(result, dtype=bool)
        return self.elementwise(scalar, left, right).astype(bool)

    def call(self, node: Any) -> Value:
        name = node.name
        spec = FUNCTIONS[name]
        if not spec.vectorised:
            raise _refuse(
                f"{name}() cannot be evaluated over a table (evaluate_frame): it needs the "
                "form, the clock or repeat instances"
            )
        arguments = [self.evaluate(argument) for argument in node.arguments]
        if not any(isinstance(argument, pd.Series) for argument in arguments):
            return spec.implementation(self.environment, arguments)
        if name == "if":
            condition = np.asarray(self.boolean(arguments[0]), dtype=bool)
            when_true, when_false = arguments[1], arguments[2]
            if _numeric_like(when_true) and _numeric_like(when_false):
                true_values = np.broadcast_to(_as_float(when_true), (self.length,))
                false_values = np.broadcast_to(_as_float(when_false), (self.length,))
                return self.series(np.where(condition, true_values, false_values))
            true_cells = self.column(when_true)
            false_cells = self.column(when_false)
            picked = [t if c else f for c, t, f in zip(condition, true_cells, false_cells, strict=True)]
            return self.series(picked, dtype=object).infer_objects()
        if name in ("not", "boolean"):
            truth = np.asarray(self.boolean(arguments[0]), dtype=bool)
            return self.series(~truth if name == "not" else truth)
        if (
            name in ("number", "int", "round", "abs", "floor", "ceiling")
            and _numeric_like(arguments[0])
            and len(arguments) == 1
        ):
            numbers = _as_float(arguments[0])
            with np.errstate(invalid="ignore"):
                if name == "int":
                    numbers = np.trunc(numbers)
                elif name == "round":
                    numbers = np.floor(numbers + 0.5)
                elif name == "abs":
                    numbers = np.abs(numbers)
                elif name == "floor":
                    numbers = np.floor(numbers)
                elif name == "ceiling":
                    numbers = np.ceil(numbers)
            return self.series(numbers, dtype="float64")
        if name == "selected" and isinstance(arguments[1], str) and not _numeric_like(arguments[0]):
            text = arguments[0]
            if isinstance(text, pd.Series) and all(
                isinstance(v, str) for v in text.dropna().head(1000).tolist()
            ):
                choice = arguments[1].strip()
                if choice and " " not in choice:
                    pattern = r"(?:^|\s)" + re.escape(choice) + r"(?:\s|$)"
                    found = text.fillna("").astype(str).str.contains(pattern, regex=True)
                    return found.astype(bool)

        def apply(*values: Any) -> Any:
            return spec.implementation(self.environment, list(values))

        return self.elementwise(apply, *arguments).infer_objects()


def evaluate_frame(node: Node, frame: pd.DataFrame) -> pd.Series:
    """Evaluate the tree for every row of ``frame``; the result has the frame's index."""
    evaluator = _Evaluator(frame)
    result = evaluator.evaluate(node)
    if isinstance(result, pd.Series):
        return result
    if isinstance(result, bool):
        return evaluator.series(np.full(len(frame), result, dtype=bool))
    if isinstance(result, float):
        return evaluator.series(np.full(len(frame), result, dtype="float64"))
    return evaluator.series([result] * len(frame), dtype=object)
