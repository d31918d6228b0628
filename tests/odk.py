"""ODK for the tests: ODK Validate (JavaRosa, shipped inside pyxform) run on XForms, and ODK-shaped data.

One Java process checks a whole batch of XForms (starting the JVM is most of the cost), and
says which of them JavaRosa refuses and why.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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


# --- a household visit form, as an organisation would write it for field workers ----------------

HOUSEHOLD_FORM_ID = "household_visit"
HOUSEHOLD_VERSION = "2026.1"


def household_form_xlsx(version: str = HOUSEHOLD_VERSION) -> bytes:
    """An XLSForm with what field forms use: metadata, consent, a group shown only on consent, a
    repeat (one entry per person) with a rule inside it, a select_multiple and a photo."""
    from io import BytesIO

    import openpyxl

    it, en = "label::Italiano (it)", "label::English (en)"
    survey = [
        ["type", "name", it, en, "relevant", "constraint", "required"],
        ["start", "start", None, None, None, None, None],
        ["end", "end", None, None, None, None, None],
        ["text", "respondent_code", "Codice della famiglia", "Household code", None, None, "yes"],
        ["select_one yes_no", "consent", "Consenso alla visita", "Consent to the visit", None, None, "yes"],
        ["begin group", "household", "Famiglia", "Household", "${consent} = 'yes'", None, None],
        ["integer", "members", "Quante persone?", "How many people?", None, ". >= 1 and . <= 20", "yes"],
        ["begin repeat", "member", "Persona", "Person", None, None, None],
        ["text", "name", "Nome", "Name", None, None, "yes"],
        ["integer", "age", "Età", "Age", None, ". >= 0 and . <= 120", "yes"],
        ["select_one yes_no", "attends_school", "Va a scuola?", "Attends school?", "${age} < 18", None, None],
        ["end repeat", None, None, None, None, None, None],
        ["select_multiple services", "services", "Servizi ricevuti", "Services received", None, None, None],
        ["image", "photo", "Foto dell'abitazione", "Photo of the home", None, None, None],
        ["end group", None, None, None, None, None, None],
    ]
    choices = [
        ["list_name", "name", it, en],
        ["yes_no", "yes", "Sì", "Yes"],
        ["yes_no", "no", "No", "No"],
        ["services", "housing", "Casa", "Housing"],
        ["services", "food", "Cibo", "Food"],
        ["services", "work", "Lavoro", "Work"],
    ]
    settings = [
        ["form_id", "version", "form_title", "default_language"],
        [HOUSEHOLD_FORM_ID, version, "Visita alla famiglia", "Italiano (it)"],
    ]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for title, rows in (("choices", choices), ("settings", settings)):
        other = workbook.create_sheet(title)
        for row in rows:
            other.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def household_submission_xml(
    instance_id: str,
    *,
    code: str = "FAM-1",
    members: list[tuple[str, int, str | None]] | None = None,
    photo: str | None = "casa.jpg",
    deprecated_id: str | None = None,
    version: str = HOUSEHOLD_VERSION,
    end: str = "2026-12-06T10:20:00.000+01:00",
) -> bytes:
    """The XML ODK Collect sends for the household form (its primary instance, filled in)."""
    people = members if members is not None else [("Ada", 34, None), ("Bruno", 9, "yes")]
    rows = "".join(
        f"<member><name>{name}</name><age>{age}</age><attends_school>{school or ''}</attends_school></member>"
        for name, age, school in people
    )
    deprecated = f"<deprecatedID>uuid:{deprecated_id}</deprecatedID>" if deprecated_id else ""
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{HOUSEHOLD_FORM_ID}" version="{version}">'
        f"<start>2026-12-06T10:00:00.000+01:00</start><end>{end}</end>"
        f"<respondent_code>{code}</respondent_code><consent>yes</consent>"
        f"<household><members>{len(people)}</members>{rows}<services>housing food</services>"
        f"<photo>{photo or ''}</photo></household>"
        f"<meta><instanceID>uuid:{instance_id}</instanceID>{deprecated}</meta></data>"
    ).encode()


TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f"
    "141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b08000100010101"
    "1100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504"
    "040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25"
    "262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788"
    "898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3"
    "e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)
"""A 1×1 JPEG image: what a phone camera sends, only smaller."""


def instance_xml(xform_xml: str, answers: dict[str, Any], instance_id: str) -> bytes:
    """A submission of ``answers`` to the form whose XForm is ``xform_xml``: its primary instance
    with each question filled in by name (lists as space-separated choices), for forms without
    repeats, as an ODK client would write it."""
    import xml.etree.ElementTree as ET

    document = ET.fromstring(xform_xml)
    instance = next(document.iter("{http://www.w3.org/2002/xforms}instance"))
    root = copy.deepcopy(instance[0])
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name == "instanceID":
            element.text = f"uuid:{instance_id}"
        elif len(element) == 0 and name in answers:
            value = answers[name]
            element.text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
