"""Scores one message with a fitted TF-IDF + calibrated linear SVM in plain numpy.

sklearn's ``TfidfVectorizer.transform`` and ``CalibratedClassifierCV.predict_proba`` validate
their input and build sparse matrices on every call: about 6 ms a message on two cores, most of
the intent classifier's time in a turn. The arithmetic itself is a few hundred multiplications, so
this module does only that, with the same formulas (sublinear tf, idf, l2 norm; Platt sigmoid per
class, normalised per fold, averaged over folds) and the fitted vocabularies and weights.
``tests/bot/components`` checks that it gives sklearn's numbers, before and after a save.

A scorer is saved as JSON (analyser settings, vocabularies, classes) and one ``.npz`` of arrays
read with ``allow_pickle=False``: nothing in a model file can run code, and loading needs neither
the sklearn estimators nor skops (whose import and type audit took 10 s of every Rasa start).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit

#: The vectorizer settings that decide how a document is cut into terms; a vectorizer with a
#: custom preprocessor or tokenizer (code, not settings) cannot be saved.
ANALYSIS_PARAMS = ("analyzer", "ngram_range", "lowercase", "token_pattern", "strip_accents", "stop_words",
                   "encoding", "decode_error", "input")
SETTINGS_FILE = "linear_scorer.json"
ARRAYS_FILE = "linear_scorer.npz"


def _analyzer(params: dict[str, Any]) -> Callable[[str], list[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(**{**params, "ngram_range": tuple(params["ngram_range"])}).build_analyzer()


@dataclass(frozen=True)
class _View:
    """One fitted vectorizer: its analyzer, vocabulary and idf, at an offset in the feature row."""

    params: dict[str, Any]
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear_tf: bool
    offset: int
    analyze: Callable[[str], list[str]]

    @classmethod
    def of(cls, vectorizer: Any, offset: int) -> _View:
        if vectorizer.norm != "l2" or vectorizer.binary or not vectorizer.use_idf:
            raise ValueError("only l2-normalised idf-weighted counts are supported")
        if vectorizer.preprocessor is not None or vectorizer.tokenizer is not None or callable(vectorizer.analyzer):
            raise ValueError("only vectorizers configured by settings are supported")
        params = {name: getattr(vectorizer, name) for name in ANALYSIS_PARAMS}
        params["ngram_range"] = list(params["ngram_range"])
        return cls(params, {str(term): int(i) for term, i in vectorizer.vocabulary_.items()},
                   np.asarray(vectorizer.idf_, dtype=np.float64), bool(vectorizer.sublinear_tf), offset,
                   vectorizer.build_analyzer())

    @classmethod
    def saved(cls, spec: dict[str, Any], idf: np.ndarray) -> _View:
        """A view as :meth:`LinearScorer.save` wrote it."""
        params = {name: spec["params"][name] for name in ANALYSIS_PARAMS}
        return cls(params, spec["vocabulary"], idf, bool(spec["sublinear_tf"]), int(spec["offset"]), _analyzer(params))

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


@dataclass(frozen=True)
class Dense:
    """A block of dense features after the sparse views (a sentence embedding): each row is
    centred on ``mean``, L2-normalised and multiplied by ``weight``."""

    mean: np.ndarray
    weight: float

    def features(self, rows: np.ndarray) -> np.ndarray:
        centred = np.atleast_2d(rows) - self.mean
        norms = np.linalg.norm(centred, axis=1, keepdims=True)
        return self.weight * np.divide(centred, norms, out=np.zeros_like(centred), where=norms > 0)


class LinearScorer:
    """Probabilities over ``classes`` for the documents of each view (text, words, pinyin), and
    the message's dense row when the model has a :class:`Dense` block."""

    def __init__(self, views: Sequence[_View], classes: np.ndarray, weights: np.ndarray, intercepts: np.ndarray,
                 sigmoid: tuple[np.ndarray, np.ndarray, int] | None, dense: Dense | None = None) -> None:
        self._views = tuple(views)
        self.classes = classes
        self.dense = dense
        self._weights, self._intercepts, self._sigmoid = weights, intercepts, sigmoid
        self._sparse_size = sum(len(view.vocabulary) for view in self._views)

    @classmethod
    def fitted(cls, vectorizers: Sequence[Any], classifier: Any, dense: Dense | None = None) -> LinearScorer:
        """The scorer of fitted sklearn vectorizers and a (calibrated) ``LinearSVC`` trained on
        their features followed by ``dense``'s."""
        views, offset = [], 0
        for vectorizer in vectorizers:
            views.append(_View.of(vectorizer, offset))
            offset += len(vectorizer.vocabulary_)
        if dense is not None:
            offset += len(dense.mean)
        classes = np.asarray(classifier.classes_)
        folds = getattr(classifier, "calibrated_classifiers_", None)
        n = len(classes)
        if folds is not None and n == 2:
            raise ValueError("two-class calibration is not supported")
        if folds is None:  # an uncalibrated LinearSVC: a softmax of its margins
            return cls(views, classes, np.ascontiguousarray(classifier.coef_.T),
                       np.asarray(classifier.intercept_, dtype=np.float64), None, dense)
        weights = np.zeros((offset, n * len(folds)))
        intercepts = np.zeros(n * len(folds))
        slope, shift = np.zeros(n * len(folds)), np.zeros(n * len(folds))
        # a fold's calibrators follow its estimator's classes; a class absent from a fold scores 0
        position = {str(c): i for i, c in enumerate(classes)}
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
        return cls(views, classes, weights, intercepts, (slope, shift, len(folds)), dense)

    def save(self, folder: Path) -> None:
        settings = {
            "classes": [str(c) for c in self.classes],
            "folds": None if self._sigmoid is None else self._sigmoid[2],
            "dense_weight": None if self.dense is None else self.dense.weight,
            "views": [{"params": v.params, "vocabulary": v.vocabulary, "sublinear_tf": v.sublinear_tf,
                       "offset": v.offset} for v in self._views],
        }
        (folder / SETTINGS_FILE).write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")
        arrays = {f"idf{i}": v.idf for i, v in enumerate(self._views)}
        arrays.update(weights=self._weights, intercepts=self._intercepts)
        if self._sigmoid is not None:
            arrays.update(slope=self._sigmoid[0], shift=self._sigmoid[1])
        if self.dense is not None:
            arrays.update(dense_mean=self.dense.mean)
        with (folder / ARRAYS_FILE).open("wb") as file:
            np.savez(file, **arrays)

    @classmethod
    def load(cls, folder: Path) -> LinearScorer:
        """Raises ``FileNotFoundError`` or ``ValueError`` (a file that is not a saved scorer)."""
        try:
            settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
            with np.load(folder / ARRAYS_FILE, allow_pickle=False) as arrays:
                views = [_View.saved(spec, arrays[f"idf{i}"]) for i, spec in enumerate(settings["views"])]
                folds, dense_weight = settings["folds"], settings.get("dense_weight")
                sigmoid = None if folds is None else (arrays["slope"], arrays["shift"], int(folds))
                dense = None if dense_weight is None else Dense(arrays["dense_mean"], float(dense_weight))
                return cls(views, np.asarray(settings["classes"]), arrays["weights"], arrays["intercepts"], sigmoid,
                           dense)
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a saved linear scorer: {error!r}") from error

    def probabilities(self, documents: Sequence[str], dense_row: np.ndarray | None = None) -> np.ndarray:
        """``dense_row``: the message's raw dense features (its sentence embedding); needed
        exactly when the model has a dense block."""
        if (dense_row is None) != (self.dense is None):
            raise ValueError("a dense row is needed exactly when the model has a dense block")
        parts = [view.features(document) for view, document in zip(self._views, documents, strict=True)]
        index = np.concatenate([p[0] for p in parts])
        values = np.concatenate([p[1] for p in parts])
        margins = values @ self._weights[index] + self._intercepts
        if self.dense is not None and dense_row is not None:
            margins = margins + self.dense.features(dense_row)[0] @ self._weights[self._sparse_size:]
        n = len(self.classes)
        if self._sigmoid is None:
            scores = np.exp(margins - margins.max())
            return scores / scores.sum()
        slope, shift, folds = self._sigmoid
        proba = expit(-(slope * margins + shift)).reshape(folds, n)
        totals = proba.sum(axis=1, keepdims=True)
        proba = np.divide(proba, totals, out=np.full_like(proba, 1.0 / n), where=totals != 0)
        return proba.mean(axis=0)
