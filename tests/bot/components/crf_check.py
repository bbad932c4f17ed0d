"""Run in the engine venv by test_saved_crf.py: trains the entity extractor on the training data's
annotated examples, loads it back from model storage as a Rasa server does, and prints, as JSON,
both extractors' entities for every message given on stdin and what the loaded one holds."""

from __future__ import annotations

import copy
import json
import sys
import tempfile
from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import LexicalSyntacticFeaturizer
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.chinese_tokenizer import ChineseTokenizer
from bot.components.saved_crf import SavedCRFEntityExtractor, SavedTagger

ROOT = Path(__file__).resolve().parents[3]
PER_FILE = 60


def _entities(extractor: SavedCRFEntityExtractor, message: Message) -> list[dict[str, object]]:
    done = extractor.process([copy.deepcopy(message)])[0]
    return [{"entity": e["entity"], "value": e["value"], "start": e["start"], "end": e["end"],
             "confidence": round(float(e.get("confidence_entity") or 0.0), 12)} for e in done.get("entities", [])]


def main() -> None:
    examples: list[Message] = []
    for language in ("zh", "en"):
        for path in sorted((ROOT / "nlu" / language).glob("*.yml")):
            examples += [m for m in load_data(str(path)).nlu_examples if m.get("entities")][:PER_FILE]
    tokenizer = ChineseTokenizer(ChineseTokenizer.get_default_config(), None, None)  # type: ignore[arg-type]
    probes = [Message(data={"text": line.rstrip("\n")}) for line in sys.stdin]
    tokenizer.process(examples + probes)
    config = SavedCRFEntityExtractor.get_default_config()
    with tempfile.TemporaryDirectory() as folder:
        storage, resource = LocalModelStorage(Path(folder)), Resource("entities")
        context = ExecutionContext(GraphSchema({}), "check")
        data = TrainingData(examples)
        featurizer = LexicalSyntacticFeaturizer.create(LexicalSyntacticFeaturizer.get_default_config(), storage,
                                                       Resource("features"), context)
        featurizer.train(data)
        featurizer.process_training_data(data)
        featurizer.process(probes)
        trained = SavedCRFEntityExtractor.create(config, storage, resource, context)
        trained.train(data)
        loaded = SavedCRFEntityExtractor.load(config, storage, resource, context)
    report = {
        "examples": len(examples),
        "loaded_taggers": {name: type(t).__name__ for name, t in (loaded.entity_taggers or {}).items()},
        "saved_type": SavedTagger.__name__,
        "trained": {m.get("text"): _entities(trained, m) for m in probes},
        "loaded": {m.get("text"): _entities(loaded, m) for m in probes},
    }
    json.dump(report, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
