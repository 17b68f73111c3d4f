"""Loading user files: malformed input names the line; field mappings; IndustryOR/LLMOPT/ComplexOR layouts."""

from __future__ import annotations

import pytest

from optiforge.datasets import load, load_file
from optiforge.errors import DatasetError, InputError


def test_bad_json_line_names_file_and_line(data):
    with pytest.raises(DatasetError, match=r"bad_json_line\.jsonl, line 3: invalid JSON"):
        load_file(data / "bad_json_line.jsonl")


def test_missing_field_names_the_line(data):
    with pytest.raises(
        DatasetError, match=r"missing_field\.jsonl, line 2: missing field 'en_answer'"
    ):
        load_file(data / "missing_field.jsonl")


def test_bad_json_array_names_the_line(data):
    with pytest.raises(DatasetError, match=r"bad_array\.json, line 4: invalid JSON"):
        load_file(data / "bad_array.json")


def test_missing_file_and_unknown_layout(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        load_file(tmp_path / "nope.jsonl")
    f = tmp_path / "odd.jsonl"
    f.write_text('{"foo": 1, "bar": 2}\n')
    with pytest.raises(DatasetError, match="cannot tell the layout"):
        load_file(f)
    with pytest.raises(InputError, match="unknown answer rule"):
        load_file(f, text_field="foo", answer_field="bar", rule="bogus")


def test_generic_loader_with_field_mapping(data):
    ds = load_file(
        data / "custom_fields.json",
        text_field="prompt",
        answer_field="target",
        id_field="key",
        rule="sirl_rel",
    )
    assert ds.name == "custom_fields" and ds.rule == "sirl_rel"
    assert [p.id for p in ds] == ["custom_fields/p1", "custom_fields/p2", "custom_fields/p3"]
    assert ds["custom_fields/p1"].gold[0].value == 10.0  # " 10.0"
    assert ds["custom_fields/p3"].gold[0].value == 0.0  # "-0.0"
    assert ds["custom_fields/p1"].metadata["level"] == "easy"
    assert {s.id: s.reason for s in ds.skipped} == {
        "custom_fields/p4": "no usable gold: 'No Best Solution'",
        "custom_fields/p5": "no usable gold: 'n/a' is not a number",
    }
    kept = load_file(
        data / "custom_fields.json",
        text_field="prompt",
        answer_field="target",
        id_field="key",
        no_solution="keep",
    )
    assert len(kept) == 4 and kept["custom_fields/p4"].gold_status == "no_solution"


def test_generic_loader_exclusions_limit_and_ids(data):
    ds = load_file(
        data / "custom_fields.json",
        text_field="prompt",
        answer_field="target",
        id_field="key",
        exclude=data / "exclude_custom.txt",
    )
    assert [p.id for p in ds] == ["custom_fields/p1"]
    assert {s.id for s in ds.skipped} >= {"custom_fields/p2", "custom_fields/p3"}
    assert len(load_file(data / "llmopt_style.jsonl", limit=1)) == 1
    assert [p.id for p in load_file(data / "llmopt_style.jsonl", ids=["1"])] == ["llmopt_style/1"]


def test_results_style_multi_value(data):
    ds = load_file(data / "results_style.json", rule="abs_tol")
    p0, p1 = ds
    assert [g.is_objective for g in p0.gold] == [False, False, True]
    assert p1.objective.label.startswith("The optimal number") and p1.objective.value == 2.0
    assert p0.metadata["kind"] == "linear" and p1.metadata["table"] is True


def test_industryor_layout_at_user_path(data, tmp_path, no_shared):
    ds = load("industryor", path=data / "industryor_style.json")
    assert [p.id for p in ds] == ["industryor/1", "industryor/2", "industryor/3"]
    assert ds.rule == "orlm" and ds["industryor/3"].gold[0].value == 15.0
    assert ds["industryor/2"].metadata["difficulty"] == "Medium"
    (tmp_path / "industryor").mkdir()
    (tmp_path / "industryor" / "IndustryOR.json").write_text(
        (data / "industryor_style.json").read_text()
    )
    assert len(load("industryor", data_dir=tmp_path)) == 3
    with pytest.raises(DatasetError, match="does not ship or download"):
        load("industryor")


def test_llmopt_layout_for_nlp4lp(data):
    ds = load("nlp4lp", path=data / "llmopt_style.jsonl")
    assert [p.id for p in ds] == ["nlp4lp/0", "nlp4lp/1"]
    assert ds["nlp4lp/0"].metadata["ori"] == "toy_1" and ds["nlp4lp/1"].gold[0].value == 6.0


def test_complexor_folders(data):
    ds = load("complexor", path=data / "complexor")
    assert [p.id for p in ds] == [
        "complexor/toy_blend/0",
        "complexor/toy_blend/1",
        "complexor/toy_knapsack/0",
    ]
    p = ds["complexor/toy_blend/1"]
    assert (
        p.gold[0].value == 2.0 and '"required": 0.3' in p.text and p.text.startswith("Buy amounts")
    )
    assert (
        len(load("complexor", path=data / "llmopt_style.jsonl")) == 2
    )  # LLMOPT's complexor.jsonl layout


def test_unknown_dataset_and_bad_limit(data):
    with pytest.raises(InputError, match="unknown data set 'nope'"):
        load("nope")
    with pytest.raises(DatasetError, match="limit"):
        load_file(data / "llmopt_style.jsonl", limit=-1)


def test_summary_counts_file_items_not_the_selection(data):
    ds = load_file(
        data / "custom_fields.json",
        text_field="prompt",
        answer_field="target",
        id_field="key",
        limit=1,
    )
    assert len(ds) == 1 and ds.total == 5 and len(ds.skipped) == 2
    assert ds.summary() == "custom_fields: 1 loaded of 5, 2 skipped (2 no usable gold)"


def test_shipped_exclusion_lists_cite_reasons():
    from optiforge.datasets._exclude import parse_exclusions, shipped_exclusions

    ob = shipped_exclusions("optibench")
    assert list(ob) == ["optibench/423"] and "corrupted" in ob["optibench/423"]
    assert (
        len(shipped_exclusions("mamo_easy_lp")) == 11
        and len(shipped_exclusions("mamo_complex_lp")) == 8
    )
    assert all(
        reason and reason != "excluded" for reason in shipped_exclusions("mamo_easy_lp").values()
    )
    assert shipped_exclusions("optmath_bench") == {}
    assert parse_exclusions('{"5": "dup"}', "x") == {"5": "dup"}
    assert parse_exclusions('[{"id": 5, "reason": "dup"}, 7]', "x") == {"5": "dup", "7": "excluded"}
