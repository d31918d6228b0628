"""ODK's own tools for the tests: ODK Validate (JavaRosa, shipped inside pyxform) run on XForms.

One Java process checks a whole batch of XForms (starting the JVM is most of the cost), and
says which of them JavaRosa refuses and why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pyxform.validators.odk_validate as odk_validate_package

from tests.conftest import missing_system_part

ODK_VALIDATE_JAR = Path(odk_validate_package.__file__).parent / "bin" / "ODK_Validate.jar"


def require_java() -> str:
    """The path of ``java``, or skip (fail in CI) saying what is missing."""
    java = shutil.which("java")
    if java is None:
        missing_system_part("java is needed to run ODK Validate (Debian: default-jre-headless)")
    assert java is not None
    if not ODK_VALIDATE_JAR.exists():
        missing_system_part(f"ODK Validate is missing from the pyxform package ({ODK_VALIDATE_JAR})")
    return java


def odk_validate(xforms: Mapping[str, str], folder: Path, *, timeout: float = 600) -> dict[str, str]:
    """Run ODK Validate once over every XForm of ``xforms`` (name -> XML).

    Returns:
        name -> what ODK Validate printed about it, for each XForm it refuses (empty dict: all valid).
    """
    java = require_java()
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, str] = {}
    for number, (name, xml) in enumerate(sorted(xforms.items())):
        path = folder / f"form-{number:03d}.xml"
        path.write_text(xml, encoding="utf-8")
        paths[str(path)] = name
    done = subprocess.run(
        [java, "-Djava.awt.headless=true", "-jar", str(ODK_VALIDATE_JAR), *paths],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = done.stdout
    failed: dict[str, str] = {}
    if done.returncode != 0:
        tail = output.split("The following files failed validation:", 1)
        if len(tail) != 2:
            raise RuntimeError(
                f"ODK Validate failed without naming the forms (exit {done.returncode}):\n{output}"
            )
        for line in tail[1].splitlines():
            line = line.strip()
            if line in paths:
                failed[paths[line]] = _section(output, line)
    return failed


def _section(output: str, path: str) -> str:
    """What ODK Validate printed while validating ``path``: the lines between its 'Validating:'
    line and the next one."""
    match = re.search(rf"Validating: {re.escape(path)}\n(.*?)(?=Validating: |\Z)", output, re.DOTALL)
    return (match[1] if match else output)[-2000:].strip()
