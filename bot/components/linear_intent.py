"""An intent classifier made of character and word n-grams and a linear support vector machine.

Why not DIET: on our held-out sets a linear model over TF-IDF n-grams generalises better than
DIET trained from scratch on a few thousand examples (it cannot memorise whole sentences the way a
transformer does) and it trains in seconds. Character n-grams (``char_wb`` 1-4) read both scripts
and survive speech-recognition misspellings; word n-grams come from the pipeline's tokenizer, so
Jieba's dictionary of our own place and service words is shared. A third view spells the Chinese
words in toneless pinyin (character n-grams over the syllables): speech recognition and typing by
sound turn 补贴 into 不贴 or 补帖, and dialect speakers merge zh/z and ing/in, so sound-alikes
must meet on the same features.

With ``sentence_embedding_weight`` above 0, a fourth, dense view is the message's multilingual
sentence embedding (:mod:`bot.components.sentence_embedding`): it knows that "can my mum get it"
and "她能领吗" ask the same thing, which no n-gram shares.

Confidences are calibrated (Platt scaling over three folds) so that ``FallbackClassifier``'s
threshold keeps its meaning. Only the fitted numbers are stored (:class:`LinearScorer`), never the
sklearn estimators.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack

from bot.components.linear_scorer import Dense, LinearScorer

logger = logging.getLogger(__name__)

WORD_SEPARATOR = " "
NO_PINYIN = "-"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _words(message: Message) -> str:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return WORD_SEPARATOR.join(t.text.lower() for t in tokens if t.text.strip())


def documents(message: Message) -> tuple[str, str, str]:
    """What each view reads of a message: its text, its tokens, its Chinese words in pinyin."""
    return (message.get(TEXT) or "").lower(), _words(message), _pinyin(message)


def _pinyin(message: Message) -> str:
    """Toneless pinyin syllables of the Chinese words; a placeholder for text with none."""
    from pypinyin import Style, lazy_pinyin

    syllables = [s for t in message.get(TOKENS_NAMES[TEXT]) or [] if HAN.search(t.text)
                 for s in lazy_pinyin(t.text, style=Style.NORMAL)]
    return WORD_SEPARATOR.join(syllables) or NO_PINYIN


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "char_ngrams": [1, 4],
            "word_ngrams": [1, 2],
            "pinyin_ngrams": [2, 5],
            "C": 1.0,
            "calibration_folds": 3,
            "ranking_length": 10,
            "sentence_embedding_weight": 0.0,
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 scorer: LinearScorer | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._scorer = scorer

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as folder:
                scorer: LinearScorer | None = LinearScorer.load(folder)
        except (ValueError, FileNotFoundError) as error:
            logger.warning("linear intent classifier: no usable model in this archive (%s)", error)
            scorer = None
        if scorer is not None and scorer.dense is not None:
            from bot.components.sentence_embedding import warm

            warm()
        return cls(config, model_storage, resource, scorer)

    def _vectorizers(self) -> tuple[Any, Any, Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self._config["char_ngrams"]),
                                sublinear_tf=True, lowercase=True)
        words = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", lowercase=False,
                                ngram_range=tuple(self._config["word_ngrams"]), sublinear_tf=True)
        pinyin = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self._config["pinyin_ngrams"]),
                                 sublinear_tf=True, lowercase=False)
        return chars, words, pinyin

    @staticmethod
    def _features(model: dict[str, Any], messages: list[Message]) -> csr_matrix:
        views = zip(*(documents(m) for m in messages), strict=True)
        return hstack([model[name].transform(list(docs))
                       for name, docs in zip(("chars", "words", "pinyin"), views, strict=True)]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        examples = [m for m in training_data.intent_examples if (m.get(TEXT) or "").strip()]
        labels = np.array([m.get(INTENT) for m in examples])
        if len(set(labels)) < 2:
            logger.warning("linear intent classifier: fewer than two intents, nothing to train")
            return self._resource
        chars, words, pinyin = self._vectorizers()
        for vectorizer, docs in zip((chars, words, pinyin), zip(*(documents(m) for m in examples), strict=True),
                                    strict=True):
            vectorizer.fit(list(docs))
        model: dict[str, Any] = {"chars": chars, "words": words, "pinyin": pinyin}
        features = self._features(model, examples)
        dense = None
        weight = float(self._config["sentence_embedding_weight"])
        if weight > 0:
            from bot.components.sentence_embedding import embed

            rows = embed([m.get(TEXT) or "" for m in examples])
            dense = Dense(rows.mean(axis=0), weight)
            features = hstack([features, csr_matrix(dense.features(rows))]).tocsr()
        smallest = int(min(np.unique(labels, return_counts=True)[1]))
        folds = min(int(self._config["calibration_folds"]), smallest)
        svm = LinearSVC(C=float(self._config["C"]), random_state=0)  # liblinear shuffles: same data, same model
        classifier = CalibratedClassifierCV(svm, cv=folds, method="sigmoid") if folds >= 2 else svm
        classifier.fit(features, labels)
        self._scorer = LinearScorer.fitted((chars, words, pinyin), classifier, dense)
        with self._storage.write_to(self._resource) as folder:
            self._scorer.save(folder)
        return self._resource

    def _probabilities(self, message: Message) -> dict[str, float]:
        assert self._scorer is not None
        dense_row = None
        if self._scorer.dense is not None:
            from bot.components.sentence_embedding import embed

            dense_row = embed([message.get(TEXT) or ""])[0]
        scores = self._scorer.probabilities(documents(message), dense_row)
        return {str(name): float(p) for name, p in zip(self._scorer.classes, scores, strict=True)}

    def process(self, messages: list[Message]) -> list[Message]:
        if self._scorer is None:
            return messages
        for message in messages:
            if not (message.get(TEXT) or "").strip():
                continue
            probabilities = self._probabilities(message)
            ranking = sorted(probabilities.items(), key=lambda item: item[1], reverse=True)
            ranking = ranking[: int(self._config["ranking_length"])]
            message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking],
                        add_to_output=True)
        return messages
