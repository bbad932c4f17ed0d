"""A Rasa NLU component that puts the rule-based emergency check in front of the dialogue.

* A match of the danger rules in :mod:`bot.emergency` makes the intent ``emergency`` at full
  confidence, whatever the classifier thought: high recall does not depend on the model.
* The classifier alone may also say ``emergency``; it is believed unless most words of the
  message were never seen in training. Nonsense ("florp", a pocket dial) then becomes
  ``nlu_fallback`` instead of a false alarm to the consultants. The same holds for
  ``out_of_scope``: nonsense with one known word in it ("blik florp zibble help") is asked again
  ("I didn't understand, say it another way"), not told "I can't help with that".
* Nor is it believed for danger told as over ("去年摔断了腿，现在好了，想装个扶手"): the
  classifier's next intent is taken instead.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.emergency import detect, told_as_over

EMERGENCY = "emergency"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
VOCABULARY_FILE = "vocabulary.json"


def _words(message: Message) -> list[str]:
    return [t.text.lower() for t in message.get(TOKENS_NAMES[TEXT]) or [] if t.text.strip()]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EmergencyOverride(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_known_share": 0.5}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 vocabulary: set[str] | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or set()

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> EmergencyOverride:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> EmergencyOverride:
        try:
            with model_storage.read_from(resource) as folder:
                vocabulary = set(json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8")))
        except (ValueError, FileNotFoundError):
            vocabulary = set()
        return cls(config, model_storage, resource, vocabulary)

    def train(self, training_data: TrainingData) -> Resource:
        vocabulary = {w for m in training_data.intent_examples for w in _words(m)}
        with self._storage.write_to(self._resource) as folder:
            (folder / VOCABULARY_FILE).write_text(json.dumps(sorted(vocabulary), ensure_ascii=False),
                                                  encoding="utf-8")
        self.vocabulary = vocabulary
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _set(self, message: Message, name: str, confidence: float) -> None:
        message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": confidence}, *ranking], add_to_output=True)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            if detect(text) is not None:
                self._set(message, EMERGENCY, 1.0)
            elif intent.get("name") == EMERGENCY and told_as_over(text):
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY]
                if ranking:
                    self._set(message, ranking[0]["name"], float(ranking[0].get("confidence") or 0.0))
                else:
                    self._set(message, FALLBACK, 0.0)
            elif intent.get("name") in (EMERGENCY, OUT_OF_SCOPE) and self.vocabulary:
                words = _words(message)
                known = sum(w in self.vocabulary for w in words)
                if not words or known / len(words) < self._config["min_known_share"]:
                    self._set(message, FALLBACK, float(intent.get("confidence") or 0.0))
        return messages
