"""Survey engine: the XLSForm expression language, form model, import, validation and export."""

from __future__ import annotations

from impactkit.surveys.expressions import EvaluationContext, Expression, parse_expression

__all__ = ["EvaluationContext", "Expression", "parse_expression"]
