"""Scores one message with a fitted TF-IDF + calibrated linear SVM in plain numpy.

sklearn's ``TfidfVectorizer.transform`` and ``CalibratedClassifierCV.predict_proba`` validate
their input and build sparse matrices on every call: about 6 ms a message on two cores, most of
the intent classifier's time in a turn. The arithmetic itself is a few hundred multiplications, so
this module does only that, with the same formulas (sublinear tf, idf, l2 norm; Platt sigmoid per
class, normalised per fold, averaged over folds) and the fitted vocabularies and weights.
``tests/bot/components`` checks that it gives sklearn's numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit


@dataclass(frozen=True)
class _View:
    """One fitted vectorizer: its analyzer, vocabulary and idf, at an offset in the feature row."""

    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear_tf: bool
    offset: int

    @classmethod
    def of(cls, vectorizer: Any, offset: int) -> _View:
        if vectorizer.norm != "l2" or vectorizer.binary or not vectorizer.use_idf:
            raise ValueError("only l2-normalised idf-weighted counts are supported")
        return cls(vectorizer.build_analyzer(), vectorizer.vocabulary_, np.asarray(vectorizer.idf_),
                   bool(vectorizer.sublinear_tf), offset)

    def features(self, document: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(i for term in self.analyze(document) if (i := self.vocabulary.get(term)) is not None)
        if not counts:
            return np.empty(0, dtype=np.int64), np.empty(0)
        index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear_tf:
            values = np.log(values) + 1.0
        values *= self.idf[index]
        norm = np.sqrt(np.dot(values, values))
        return index + self.offset, values / norm if norm > 0 else values


class LinearScorer:
    """Probabilities over ``classes`` for the documents of each view (text, words, pinyin)."""

    def __init__(self, vectorizers: Sequence[Any], classifier: Any) -> None:
        views, offset = [], 0
        for vectorizer in vectorizers:
            views.append(_View.of(vectorizer, offset))
            offset += len(vectorizer.vocabulary_)
        self._views = tuple(views)
        self.classes: np.ndarray = np.asarray(classifier.classes_)
        folds = getattr(classifier, "calibrated_classifiers_", None)
        n = len(self.classes)
        if folds is not None and n == 2:
            raise ValueError("two-class calibration is not supported")
        if folds is None:  # an uncalibrated LinearSVC: a softmax of its margins
            self._weights = np.ascontiguousarray(classifier.coef_.T)
            self._intercepts = np.asarray(classifier.intercept_, dtype=np.float64)
            self._sigmoid = None
            return
        weights = np.zeros((offset, n * len(folds)))
        intercepts = np.zeros(n * len(folds))
        slope, shift = np.zeros(n * len(folds)), np.zeros(n * len(folds))
        # a fold's calibrators follow its estimator's classes; a class absent from a fold scores 0
        position = {str(c): i for i, c in enumerate(self.classes)}
        for k, fold in enumerate(folds):
            estimator = fold.base_estimator
            for j, (name, calibrator) in enumerate(zip(estimator.classes_, fold.calibrators, strict=True)):
                column = k * n + position[str(name)]
                weights[:, column] = estimator.coef_[j]
                intercepts[column] = estimator.intercept_[j]
                slope[column], shift[column] = calibrator.a_, calibrator.b_
            for name in set(position) - {str(c) for c in estimator.classes_}:
                column = k * n + position[name]
                slope[column], shift[column] = 0.0, np.inf
        self._weights, self._intercepts = weights, intercepts
        self._sigmoid = (slope, shift, len(folds))

    def probabilities(self, documents: Sequence[str]) -> np.ndarray:
        parts = [view.features(document) for view, document in zip(self._views, documents, strict=True)]
        index = np.concatenate([p[0] for p in parts])
        values = np.concatenate([p[1] for p in parts])
        margins = values @ self._weights[index] + self._intercepts
        n = len(self.classes)
        if self._sigmoid is None:
            scores = np.exp(margins - margins.max())
            return scores / scores.sum()
        slope, shift, folds = self._sigmoid
        proba = expit(-(slope * margins + shift)).reshape(folds, n)
        totals = proba.sum(axis=1, keepdims=True)
        proba = np.divide(proba, totals, out=np.full_like(proba, 1.0 / n), where=totals != 0)
        return proba.mean(axis=0)
