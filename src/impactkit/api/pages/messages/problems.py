"""Texts the core library writes for people, read with the pages' own: the problems of an
uploaded XLSForm and of its expressions (:mod:`impactkit.surveys.problem_texts`), of a table file
and of an export of answers (:mod:`impactkit.surveys.table_texts`), and what each line of a
report's validation checklist found (:mod:`impactkit.reports.checklist_texts`).

They live next to the code that finds the problems, so that the API, the CLI and the pages say
the same thing; a page writes a problem in its language with
:func:`impactkit.api.pages.rendering.problem_text`.
"""

from __future__ import annotations

from impactkit.reports.checklist_texts import CHECKLIST_TEXTS
from impactkit.surveys.problem_texts import FORM_PROBLEM_TEXTS
from impactkit.surveys.table_texts import TABLE_TEXTS

MESSAGES = {**FORM_PROBLEM_TEXTS, **TABLE_TEXTS, **CHECKLIST_TEXTS}
