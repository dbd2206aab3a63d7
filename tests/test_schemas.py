"""The Table Schemas in schemas/ against the template they describe."""

import json
import re

import pytest
from conftest import ROOT

from nianbao.publish.package import SchemaViolation, to_csv
from nianbao.template import OUTCOMES, PROCEEDINGS, TEMPLATES
from nianbao.template import TEMPLATE_2021 as T

SCHEMAS = sorted((ROOT / "schemas").glob("*.json"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def schema(name):
    return json.loads((ROOT / "schemas" / f"{name}.json").read_text(encoding="utf-8"))


def enum(name, field):
    return next(f for f in schema(name)["fields"] if f["name"] == field)["constraints"]["enum"]


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.stem)
def test_every_field_has_a_chinese_title_and_description(path):
    for field in json.loads(path.read_text(encoding="utf-8"))["fields"]:
        assert CJK.search(field["title"]), field["name"]
        assert CJK.search(field["description"]), field["name"]
        assert field["title_en"], field["name"]


def test_codes_in_the_schemas_are_the_templates_codes():
    assert enum("requests", "row")[: len(T.rows)] == T.row_codes
    assert enum("requests", "applicant") == T.applicant_codes
    assert enum("reviews", "proceeding") == [p.code for p in PROCEEDINGS]
    assert enum("reviews", "outcome") == [o.code for o in OUTCOMES]
    items = {i.code for t in TEMPLATES.values() for i in t.proactive}
    assert set(enum("proactive", "item")) == items
    assert set(enum("proactive", "measure")) == {m for t in TEMPLATES.values() for m in t.measures}
    assert set(enum("requests", "row")) == {
        r.code for t in TEMPLATES.values() for r in (*t.rows, *t.variants)
    }


def test_the_contract_columns_come_first_in_each_long_table():
    names = {p.stem: [f["name"] for f in json.loads(p.read_text())["fields"]] for p in SCHEMAS}
    assert names["requests"][:4] == ["report_id", "row", "applicant", "value"]
    assert names["reviews"][:4] == ["report_id", "proceeding", "outcome", "value"]
    assert names["proactive"][:4] == ["report_id", "item", "measure", "value"]
    assert names["reports"][:5] == ["report_id", "agency", "year", "template", "source"]
    assert names["quality"][:4] == ["report_id", "severity", "code", "message"]


def test_writing_checks_rows_against_the_schema():
    good = {"report_id": "a-1", "row": "granted", "applicant": "total", "value": 3, "status": "printed"}
    assert to_csv("requests", [good]).splitlines()[1] == "a-1,granted,total,3,printed"
    assert (
        to_csv("requests", [{**good, "value": None, "status": "blank"}]).splitlines()[1]
        == "a-1,granted,total,,blank"
    )
    for bad in (
        {"row": "granted_typo"},
        {"value": -1},
        {"value": "3"},
        {"report_id": "A B"},
        {"status": None},
    ):
        with pytest.raises(SchemaViolation):
            to_csv("requests", [{**good, **bad}])
