"""The published JSON Schema (docs/json-format.schema.json): generated from the format's
pydantic models, current, in step with the format's field lists, and met by a real
export as judged by an independent validator (jsonschema)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from exports.book_json import export_book, format
from exports.book_json.codecs import AGGREGATES, BookCodec, json_schema, schema_text
from models.demo import fill_demo

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "docs" / "json-format.schema.json"
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from models.db import open_book

    book = open_book(tmp_path_factory.mktemp("demo") / "b.db")
    try:
        fill_demo(book, now=NOW)
        return export_book(book)
    finally:
        book.close()


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_schema_file_is_current() -> None:
    """Regenerate with: python -m exports.book_json.codecs > docs/json-format.schema.json"""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()


@pytest.mark.parametrize("name", sorted(AGGREGATES))
def test_each_codec_lists_the_formats_fields_in_order(name: str) -> None:
    model = AGGREGATES[name]
    assert tuple(model.model_fields) == getattr(format, f"{name}_FIELDS")
    required = tuple(n for n, f in model.model_fields.items() if f.is_required())
    assert required == getattr(format, f"REQUIRED_{name}_FIELDS", ())


def test_the_demo_export_meets_the_schema(demo_doc: dict[str, Any]) -> None:
    assert demo_doc["clients"] and any(c["incidents"] for c in demo_doc["clients"])
    assert any(c["agreements"] for c in demo_doc["clients"])
    assert list(validator().iter_errors(demo_doc)) == []
    BookCodec.model_validate(demo_doc)  # and the models agree


def _client_at(doc: dict[str, Any], key: str) -> dict[str, Any]:
    return next(c for c in doc["clients"] if c[key])


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["clients"][0].update(nickname="x"), "additionalProperties"),
        (lambda d: d["clients"][0].update(id="A" * 32), "pattern"),
        (lambda d: d["clients"][0].update(status="retired"), "enum"),
        (lambda d: d["clients"][0].update(cadence_days=0), "minimum"),
        (lambda d: _client_at(d, "touches")["touches"][0].pop("channel"), "required"),
        (lambda d: _client_at(d, "incidents")["incidents"][0].update(severity=3), "type"),
        (
            lambda d: _client_at(d, "agreements")["agreements"][0].update(number="42"),
            "pattern",
        ),
        (lambda d: d.update(version=99), "maximum"),
    ],
)
def test_the_schema_refuses_what_an_import_refuses(
    demo_doc: dict[str, Any], change: Any, where: str
) -> None:
    doc = copy.deepcopy(demo_doc)
    change(doc)
    errors = list(validator().iter_errors(doc))
    assert errors and _kinds(errors) >= {where}


def _kinds(errors: list[jsonschema.ValidationError]) -> set[str]:
    """Which rules failed, looking inside anyOf (a nullable field) too."""
    found: set[str] = set()
    for e in errors:
        found.add(str(e.validator))
        found |= _kinds(list(e.context or []))
    return found


def test_the_schema_describes_the_current_version() -> None:
    schema = json_schema()
    assert schema["title"] == f"Rapport book export, version {format.VERSION}"
    assert schema["properties"]["version"]["maximum"] == format.VERSION
    assert schema["additionalProperties"] is False
