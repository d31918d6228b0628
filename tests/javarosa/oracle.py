"""JavaRosa, the form engine of ODK Collect, as a test oracle: what ODK makes of a filled-in form.

The JavaRosa inside pyxform's ODK_Validate.jar runs ``JavaRosaOracle.java`` (Java's
single-file source launcher, so it needs a JDK: Debian's ``default-jdk-headless``). Each case is
an XForm built by pyxform and the answers as an XML instance; JavaRosa pours the answers into the
form as ODK Collect opens a saved form, computes every calculation and relevance, and reports
each node's value and whether it is relevant.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pyxform

from impactkit.surveys._xpath_values import format_number
from impactkit.surveys.model import Field, Form, Group, Repeat
from impactkit.surveys.validation import FormState
from tests.conftest import missing_system_part

SOURCE = Path(__file__).with_name("JavaRosaOracle.java")
JAR = Path(pyxform.__file__).parent / "validators" / "odk_validate" / "bin" / "ODK_Validate.jar"


def java_with_compiler() -> str:
    """The ``java`` command, when it can run a source file (a JDK); else skip (or fail in CI)."""
    java = shutil.which("java")
    if java is None:
        missing_system_part("Java is not installed: apt-get install default-jdk-headless")
    assert java is not None
    modules = subprocess.run([java, "--list-modules"], capture_output=True, text=True, check=False)
    if "jdk.compiler" not in modules.stdout:
        missing_system_part("Java cannot run source files (no JDK): apt-get install default-jdk-headless")
    if not JAR.exists():
        missing_system_part(f"pyxform ships no ODK_Validate.jar at {JAR}")
    return java


def run(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JavaRosa's verdict on each case ``{"xform", "instance", "expressions"}`` (see the Java
    source): ``{"nodes": [{"path", "value", "relevant"}], "results": [...]}`` or ``{"error"}``."""
    java = java_with_compiler()
    finished = subprocess.run(
        [java, "-cp", str(JAR), str(SOURCE)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if finished.returncode != 0:
        raise AssertionError(f"the JavaRosa oracle failed: {finished.stderr[-2000:]}")
    results: list[dict[str, Any]] = json.loads(finished.stdout)
    return results


def instance_xml(form: Form, answers: dict[str, Any], root: str = "data") -> str:
    """The answers as the XML instance ODK Collect saves: every field (empty when unanswered),
    groups and repeat instances as elements."""

    def text(value: Any) -> str:
        if isinstance(value, list):
            return " ".join(str(v) for v in value)
        return "" if value is None else str(value)

    def elements(children: list[Field | Group | Repeat], values: dict[str, Any]) -> str:
        out: list[str] = []
        for element in children:
            if isinstance(element, Group):
                out.append(f"<{element.name}>{elements(element.children, values)}</{element.name}>")
            elif isinstance(element, Repeat):
                for row in values.get(element.name, []):
                    out.append(f"<{element.name}>{elements(element.children, row)}</{element.name}>")
            else:
                out.append(f"<{element.name}>{escape(text(values.get(element.name)))}</{element.name}>")
        return "".join(out)

    body = elements(list(form.children), answers)
    return (
        f'<{root} id="{form.form_id}" version="{form.version}">{body}'
        f"<meta><instanceID>uuid:00000000-0000-4000-8000-000000000000</instanceID></meta></{root}>"
    )


def javarosa_nodes(result: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """JavaRosa's nodes as ``g_info[1]/zone[1]`` (its path without the root) -> (value, relevant)."""
    return {
        node["path"].split("/", 2)[2]: (node["value"], node["relevant"])
        for node in result["nodes"]
        if not node["path"].split("/", 2)[2].startswith("meta[")
    }


def impactkit_nodes(form: Form, state: FormState) -> dict[str, tuple[str, bool]]:
    """impactkit's field states keyed like :func:`javarosa_nodes` (groups put back into paths)."""
    groups: dict[tuple[str, ...], tuple[str, ...]] = {}

    def visit(
        children: list[Field | Group | Repeat], repeats: tuple[str, ...], inside: tuple[str, ...]
    ) -> None:
        for element in children:
            if isinstance(element, Group):
                visit(element.children, repeats, (*inside, element.name))
            elif isinstance(element, Repeat):
                groups[(*repeats, element.name)] = inside
                visit(element.children, (*repeats, element.name), ())
            else:
                groups[(*repeats, element.name)] = inside

    visit(list(form.children), (), ())
    found: dict[str, tuple[str, bool]] = {}
    for field_state in state.fields:
        steps = field_state.location.removeprefix("answers.").split(".")
        names: list[str] = []
        parts: list[str] = []
        for step in steps:
            name, _, index = step.partition("[")
            names.append(name)
            parts.extend(f"{group}[1]" for group in groups[tuple(names)])
            parts.append(f"{name}[{int(index.rstrip(']')) + 1 if index else 1}]")
        found["/".join(parts)] = (xpath_text(field_state.value), field_state.relevant)
    return found


def xpath_text(value: Any) -> str:
    """A clean answer written as ODK writes the value of a node."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    if isinstance(value, float):
        return format_number(value)
    return str(value)
