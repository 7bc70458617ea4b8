"""The accuracy bench's answer conventions (bench/corpus/README.md) and the corpus's own consistency."""

import json
from pathlib import Path

from bench.accuracy_score import CLASSES, score_one, summarise

CORPUS = Path(__file__).resolve().parents[1] / "bench" / "corpus"


def _got(**kw):
    base = {"doc_number": None, "issue_date": None, "publish_date": None, "effective_date": None, "kind": "other",
            "cities": [], "customs_codes": [], "customs_districts": [], "figures": []}
    base.update(kw)
    return base


def test_empty_string_answer_means_the_extractor_must_return_none():
    exp = {"doc_number": "", "issue_date": "", "cities": []}
    assert score_one(_got(), exp, "", own=True)["doc_number"] is True
    row = score_one(_got(doc_number="国函〔2016〕17号", issue_date="2016-01-06"), exp, "", own=True)
    assert row["doc_number"] is False and row["issue_date"] is False


def test_null_is_never_scored_in_the_own_corpus():
    row = score_one(_got(kind="tax_policy"), {"doc_number": None, "effective_date": None, "kind": None,
                                              "cities": None}, "", own=True)
    assert not {"doc_number", "effective_date", "kind", "city_tp"} & set(row)


def test_reference_convention_still_scores_a_missing_effective_date():
    row = score_one(_got(effective_date="2016-01-12"), {"doc_number": "x", "effective_date": None, "kind": "other",
                                                        "cities": []}, "reconstructed")
    assert row["effective_date"] is False


def test_customs_districts_compare_without_the_haiguan_suffix():
    row = score_one(_got(customs_districts=["黄埔海关", "北京"]), {"customs_districts": ["北京", "黄埔"]}, "", own=True)
    assert row["customs_districts"] is True


def test_cities_on_a_negative_are_counted():
    row = score_one(_got(cities=[{"name": "天津市"}]), {"cities": []}, "", own=True)
    s = summarise([row])
    assert (s["negatives"], s["negative_cities_returned"], s["negatives_with_cities"]) == (1, 1, 1)


def test_own_corpus_answers_are_complete_and_held_out_is_a_quarter():
    entries = json.loads((CORPUS / "answers.json").read_text(encoding="utf-8"))
    files = {p.name for p in CORPUS.glob("*.txt")}
    assert files == {e["file"] for e in entries} and len(entries) >= 40
    for e in entries:
        first = (CORPUS / e["file"]).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(("# source: ", "# synthetic rewrite of ")), e["file"]
        assert e["class"] in CLASSES and e["split"] in ("dev", "heldout") and e["note"]
        # The recorded source is the page named on the file's first line (synthetic rewrites included).
        assert first.split(" of ", 1)[-1].split("# source: ", 1)[-1] == e["source"], e["file"]
    # A held-out document that has been scored once is seen: it moves to dev with seen_heldout, never back.
    assert not [e["file"] for e in entries if e.get("seen_heldout") and e["split"] != "dev"]
    # The fresh held-out split is a quarter (at least 8) of the documents added after the last scoring.
    latest = max(e.get("batch", 1) for e in entries)
    if latest > 1:
        fresh = [e for e in entries if e.get("batch", 1) == latest]
        held = [e for e in fresh if e["split"] == "heldout"]
        assert len(held) >= 8 and len(held) * 4 >= len(fresh)
        assert all(e.get("batch", 1) == latest for e in entries if e["split"] == "heldout")
    assert sum(1 for e in entries if e["expect"]["cities"] == []) >= 15
