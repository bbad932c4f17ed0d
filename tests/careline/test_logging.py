import json

import structlog

from careline.logging import configure_logging, mask_text, mask_value


def test_personal_fields_are_masked(capsys) -> None:
    configure_logging("INFO", "json")
    structlog.get_logger("t").info("elder_found", name="王秀英", phone="13800001111",
                                   id_number="510100194005011234", district="maple-town")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert "王秀英" not in json.dumps(line, ensure_ascii=False)
    assert line["name"].startswith("王") and line["name"] != "王秀英"
    assert "13800001111" not in line["phone"] and "510100194005011234" not in line["id_number"]
    assert line["district"] == "maple-town"


def test_numbers_hidden_inside_free_text() -> None:
    text = mask_text("call 13800001111 or 028-60000001, ID 51010019400501123X")
    assert "13800001111" not in text and "60000001" not in text and "51010019400501123X" not in text
    assert text.startswith("call 138****11")


def test_mask_value_keeps_little() -> None:
    assert mask_value("Mary Smith") == "M***"
    assert mask_value("13800001111") == "1*********1"
