"""Run in the engine venv by test_linear_scorer.py: fits the intent classifier's vectorizers and
calibrated SVM on part of the training data, then prints, as JSON, the largest difference between
sklearn's probabilities and :class:`LinearScorer`'s for every message given on stdin, with the
scorer as fitted and as saved and loaded again."""

from __future__ import annotations

import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import LinearSVC

from bot.components.chinese_tokenizer import ChineseTokenizer
from bot.components.linear_intent import LinearIntentClassifier, documents
from bot.components.linear_scorer import Dense, LinearScorer
from bot.components.sentence_embedding import embed

ROOT = Path(__file__).resolve().parents[3]
PER_INTENT = 25


def main() -> None:
    by_intent: dict[str, list[Message]] = defaultdict(list)
    for language in ("zh", "en"):
        for path in sorted((ROOT / "nlu" / language).glob("*.yml")):
            for message in load_data(str(path)).intent_examples:
                by_intent[message.get("intent")].append(message)
    examples = [m for messages in by_intent.values() for m in messages[:PER_INTENT]]
    tokenizer = ChineseTokenizer(ChineseTokenizer.get_default_config(), None, None)  # type: ignore[arg-type]
    probes = [Message(data={"text": line.rstrip("\n")}) for line in sys.stdin]
    tokenizer.process(examples + probes)

    chars, words, pinyin = LinearIntentClassifier({}, None, None)._vectorizers()  # type: ignore[arg-type]
    vectorizers = (chars, words, pinyin)

    def views(messages: list[Message]) -> list[list[str]]:
        return [list(docs) for docs in zip(*(documents(m) for m in messages), strict=True)]

    def features(messages: list[Message], dense: Dense | None = None) -> csr_matrix:
        blocks = [v.transform(d) for v, d in zip(vectorizers, views(messages), strict=True)]
        if dense is not None:
            blocks.append(csr_matrix(dense.features(embed([m.get("text") for m in messages]))))
        return hstack(blocks).tocsr()

    for vectorizer, docs in zip(vectorizers, views(examples), strict=True):
        vectorizer.fit(docs)
    labels = np.array([m.get("intent") for m in examples])
    report = {}
    rows = embed([m.get("text") for m in examples])
    embedding = Dense(rows.mean(axis=0), 1.0)
    for name, classifier, dense in (
            ("calibrated", CalibratedClassifierCV(LinearSVC(C=1.5), cv=3, method="sigmoid"), None),
            ("plain", LinearSVC(C=1.5), None),
            ("calibrated_embedding", CalibratedClassifierCV(LinearSVC(C=1.5), cv=3, method="sigmoid"), embedding)):
        classifier.fit(features(examples, dense), labels)
        scorer = LinearScorer.fitted(vectorizers, classifier, dense)
        with tempfile.TemporaryDirectory() as folder:
            scorer.save(Path(folder))
            loaded = LinearScorer.load(Path(folder))
        if name != "plain":
            expected = classifier.predict_proba(features(probes, dense))
        else:
            margins = classifier.decision_function(features(probes))
            expected = np.exp(margins - margins.max(axis=1, keepdims=True))
            expected /= expected.sum(axis=1, keepdims=True)
        dense_rows = embed([m.get("text") for m in probes]) if dense is not None else [None] * len(probes)
        got = np.array([scorer.probabilities(documents(m), row) for m, row in zip(probes, dense_rows, strict=True)])
        reloaded = np.array([loaded.probabilities(documents(m), row)
                             for m, row in zip(probes, dense_rows, strict=True)])
        report[name] = {"max_difference": float(np.abs(expected - got).max()),
                        "max_difference_loaded": float(np.abs(expected - reloaded).max()),
                        "same_classes": list(map(str, scorer.classes)) == list(map(str, classifier.classes_))
                        == list(map(str, loaded.classes))}
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
