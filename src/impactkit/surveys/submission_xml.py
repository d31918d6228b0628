"""Submissions as ODK clients send them: the XML of a filled-in XForm, read onto a form's answers.

ODK Collect, KoBoCollect, Enketo and ODK Web Forms submit the primary instance of the XForm,
filled in: one element per question, groups as elements holding their questions, a repeat as one
element per instance, ``meta/instanceID`` (and ``meta/deprecatedID`` for an edit). impactkit's
answers are one object keyed by field name (groups are transparent) with a list of objects per
repeat; :func:`read_submission` maps the one onto the other, and says precisely what does not fit.

The XML is parsed without a DTD, entities or external references (defusedxml), and bounded in
size, depth and element count.

    >>> from impactkit.surveys import load_xlsform
    >>> from pathlib import Path
    >>> form = load_xlsform(Path(__file__).parents[3] / "tests" / "data" / "xlsform" / "nested_repeats.xlsx")
    >>> xml = b'''<data id="nested_repeats" version="201211121234"><kids><has_kids>1</has_kids>
    ...   <kids_details><kids_name>Ada</kids_name><kids_age>7</kids_age></kids_details>
    ...   <kids_details><kids_name>Bo</kids_name><kids_age>4</kids_age></kids_details></kids>
    ...   <meta><instanceID>uuid:7d7e4f8e-24c1-4e5c-9d7a-4f5e7a1b2c3d</instanceID></meta></data>'''
    >>> submission = read_submission(xml)
    >>> submission.form_id, submission.instance_id
    ('nested_repeats', '7d7e4f8e-24c1-4e5c-9d7a-4f5e7a1b2c3d')
    >>> answers_of(form, submission).answers["kids_details"]
    [{'kids_name': 'Ada', 'kids_age': '7'}, {'kids_name': 'Bo', 'kids_age': '4'}]
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from impactkit.errors import Problem, ResponseError
from impactkit.surveys.model import NO_ANSWER_TYPES, Field, Form, Group, Repeat

MAX_XML_BYTES = 10 * 1024 * 1024
"""Largest submission XML read (the media files are separate parts)."""
MAX_DEPTH = 64
"""Deepest nesting of elements (groups and repeats within each other)."""
MAX_ELEMENTS = 200_000
"""Most elements in one submission."""

MEDIA_TYPES = frozenset({"image", "audio", "video", "file", "audit"})
"""Question types whose answer is the name of a file sent beside the XML."""

_JR_TEMPLATE = "{http://openrosa.org/javarosa}template"
_PYXFORM_GENERATED = re.compile(
    r"(generated_note_name|generated_table_list_label|reserved_name_for_field_list_labels)_\d+$"
)
"""Elements pyxform adds for notes without a name and table-list labels: they never hold answers."""


@dataclass(frozen=True)
class Submission:
    """The envelope of a submitted instance and its XML tree (not yet read onto a form)."""

    form_id: str
    version: str
    instance_id: str
    """Canonical UUID text (ODK's ``uuid:`` prefix removed)."""
    deprecated_id: str | None
    """For an edit: the instance id of the version it replaces."""
    root: Element


@dataclass(frozen=True)
class MediaAnswer:
    """An answer that names a file: where it is and which file."""

    location: str
    """``photo`` or ``household[0].photo`` (repeat index from 0, as in JSON)."""
    filename: str
    question_type: str


@dataclass
class Answers:
    """A submission read onto a form: answers shaped like the JSON API's, and the files named."""

    answers: dict[str, Any]
    media: list[MediaAnswer] = field(default_factory=list)


class _BoundedBuilder(TreeBuilder):
    """A tree builder that refuses documents nested too deeply or with too many elements."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.count = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        self.count += 1
        if self.depth > MAX_DEPTH:
            raise _TooLarge(f"elements are nested more than {MAX_DEPTH} deep")
        if self.count > MAX_ELEMENTS:
            raise _TooLarge(f"more than {MAX_ELEMENTS} elements")
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return super().end(tag)


class _TooLarge(Exception):
    pass


def _refused(message: str, location: str = "xml_submission_file", code: str = "invalid_xml") -> ResponseError:
    return ResponseError("the submission cannot be read", [Problem(message, location, code)])


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_submission(xml: bytes) -> Submission:
    """Parse a submission's XML safely and read its envelope.

    Raises:
        ResponseError: not well-formed XML, a DTD or entity, too large or deep, or no form id,
            version or valid ``meta/instanceID``; the problem says which.
    """
    if len(xml) > MAX_XML_BYTES:
        raise _refused(f"the submission XML is larger than {MAX_XML_BYTES // (1024 * 1024)} MiB")
    parser = DefusedXMLParser(target=_BoundedBuilder(), forbid_dtd=True, forbid_entities=True)
    try:
        parser.feed(xml)
        root = parser.close()
    except _TooLarge as error:
        raise _refused(f"the submission XML is too large: {error}") from None
    except DefusedXmlException as error:
        raise _refused(
            f"the submission XML may not declare a DTD or entities ({type(error).__name__})"
        ) from None
    except (ParseError, ValueError) as error:
        raise _refused(f"the submission is not well-formed XML: {error}") from None
    form_id = root.get("id", "").strip()
    if not form_id:
        raise _refused(
            f"the root element <{_local(root.tag)}> has no id attribute (the form id)", code="form_id"
        )
    version = root.get("version", "").strip()
    meta = _child(root, "meta")
    instance_text = _text(_child(meta, "instanceID")) if meta is not None else ""
    if not instance_text:
        raise _refused(
            "meta/instanceID is missing: ODK clients always send one", "meta/instanceID", "instance_id"
        )
    instance_id = _uuid(instance_text, "meta/instanceID")
    deprecated_text = _text(_child(meta, "deprecatedID")) if meta is not None else ""
    deprecated_id = _uuid(deprecated_text, "meta/deprecatedID") if deprecated_text else None
    if deprecated_id == instance_id:
        raise _refused(
            "meta/deprecatedID names the submission itself; an edit needs a new meta/instanceID",
            "meta/deprecatedID",
            "instance_id",
        )
    return Submission(form_id, version, instance_id, deprecated_id, root)


def _uuid(text: str, location: str) -> str:
    value = text.strip()
    if value.lower().startswith("uuid:"):
        value = value[5:]
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise _refused(f"{text!r} is not a UUID (uuid:…)", location, "instance_id") from None


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _empty(element: Element) -> bool:
    return len(element) == 0 and not (element.text or "").strip()


def _text(element: Element | None) -> str:
    return "" if element is None or element.text is None else element.text


def answers_of(form: Form, submission: Submission) -> Answers:
    """The submission's answers in the shape :func:`~impactkit.surveys.validate_response` reads.

    Groups are flattened, each repeat becomes a list of objects (``begin loop over`` a choice
    list: one object per choice element, in order), empty elements are unanswered, notes and
    calculations are left out (impactkit computes calculations itself), and media answers are
    listed with where they are.

    Raises:
        ResponseError: an element the form does not have, a question answered twice, or text
            where a group or repeat was expected; each problem names the element's path.
    """
    problems: list[Problem] = []
    result = Answers({})
    root_name = _local(submission.root.tag)
    _read_scope(
        form, form.children, submission.root, root_name, "", result.answers, result, problems, top=True
    )
    if problems:
        raise ResponseError(
            f"the submission does not fit form {form.form_id!r} version {form.version!r}", problems
        )
    return result


def _read_scope(
    form: Form,
    elements: list[Field | Group | Repeat],
    node: Element,
    path: str,
    prefix: str,
    answers: dict[str, Any],
    result: Answers,
    problems: list[Problem],
    *,
    top: bool = False,
) -> None:
    """Read the children of ``node`` described by ``elements`` into ``answers``."""
    if not top and len(node) == 0 and (node.text or "").strip():
        problems.append(
            Problem(f"<{_local(node.tag)}> holds text; its questions were expected", path, "wrong_type")
        )
        return
    by_name: dict[str, list[Element]] = {}
    for child in node:
        if child.get(_JR_TEMPLATE) is not None:
            continue
        by_name.setdefault(_local(child.tag), []).append(child)
    known: set[str] = {"meta"} if top else set()
    for element in elements:
        known.add(element.name)
        found = by_name.get(element.name, [])
        where = f"{path}/{element.name}"
        if isinstance(element, Repeat):
            instances: list[dict[str, Any]] = []
            nodes = list(found[0]) if element.loop_over is not None and found else found
            for index, instance in enumerate(nodes):
                if instance.get(_JR_TEMPLATE) is not None:
                    continue
                entry: dict[str, Any] = {}
                _read_scope(
                    form,
                    element.children,
                    instance,
                    f"{where}[{index + 1}]",
                    f"{prefix}{element.name}[{index}].",
                    entry,
                    result,
                    problems,
                )
                instances.append(entry)
            if element.loop_over is not None and len(found) > 1:
                problems.append(Problem(f"<{element.name}> appears {len(found)} times", where, "duplicate"))
            if instances:
                answers[element.name] = instances
            continue
        if len(found) > 1:
            problems.append(
                Problem(f"<{element.name}> appears {len(found)} times; once expected", where, "duplicate")
            )
            continue
        if isinstance(element, Group):
            if found:
                _read_scope(form, element.children, found[0], where, prefix, answers, result, problems)
            continue
        if element.type == "audit" and not found:
            # pyxform puts the audit log (a file name) in meta/audit
            metas = by_name.get("meta")
            audit = _child(metas[0], "audit") if metas else None
            found = [audit] if audit is not None else []
        if not found:
            continue
        if len(found[0]):
            problems.append(
                Problem(f"<{element.name}> holds elements; a value was expected", where, "wrong_type")
            )
            continue
        if element.type in NO_ANSWER_TYPES or element.calculation is not None or element.type == "calculate":
            continue
        value = _text(found[0])
        if value == "":
            continue
        answers[element.name] = value
        if element.type in MEDIA_TYPES:
            result.media.append(MediaAnswer(f"{prefix}{element.name}", value.strip(), element.type))
    for name, nodes in by_name.items():
        if name not in known and not (_PYXFORM_GENERATED.match(name) and all(_empty(n) for n in nodes)):
            problems.append(
                Problem(
                    f"<{name}> is not an element of this form version",
                    f"{path}/{name}",
                    "unknown_field",
                )
            )


__all__ = [
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "MAX_XML_BYTES",
    "MEDIA_TYPES",
    "Answers",
    "MediaAnswer",
    "Submission",
    "answers_of",
    "read_submission",
]
