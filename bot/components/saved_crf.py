"""Rasa's CRF entity extractor, loaded from its trained taggers instead of trained again.

Rasa 3.6's ``CRFEntityExtractor`` stores only its training features and fits the CRF again every
time a model is loaded (it avoided pickling the ``sklearn_crfsuite`` estimator): 20 s of each
Rasa server's start on this project's data, and more than a minute on a busy 2-core machine.
This extractor also stores each tagger's model as CRFsuite writes it (a binary file of weights,
which cannot run code) and loads those.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken
from rasa.shared.exceptions import FileIOException

logger = logging.getLogger(__name__)

ORDER_FILE = "crf_order.json"


def _tagger_file(tag_name: str) -> str:
    return f"crf_{tag_name}.crfsuite"


class SavedTagger:
    """A trained CRFsuite tagger held in memory, with the one call the extractor makes of it."""

    def __init__(self, model: bytes) -> None:
        import pycrfsuite

        self._model = model  # CRFsuite reads the model where it lies and keeps no copy of it
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(self._model)
        self._labels = self._tagger.labels()

    def predict_marginals_single(self, xseq: list[dict[str, Any]]) -> list[dict[str, float]]:
        """As ``sklearn_crfsuite.CRF.predict_marginals_single``."""
        self._tagger.set(xseq)
        return [{label: self._tagger.marginal(label, i) for label in self._labels} for i in range(len(xseq))]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class SavedCRFEntityExtractor(CRFEntityExtractor):
    def persist(self, dataset: list[list[CRFToken]]) -> None:
        import rasa.shared.utils.io

        with self._model_storage.write_to(self._resource) as folder:
            rasa.shared.utils.io.dump_obj_as_json_to_file(folder / ORDER_FILE, self.crf_order)
            for tag_name, tagger in (self.entity_taggers or {}).items():
                (folder / _tagger_file(tag_name)).write_bytes(Path(tagger.modelfile.name).read_bytes())

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> CRFEntityExtractor:
        import rasa.shared.utils.io

        try:
            with model_storage.read_from(resource) as folder:
                order = rasa.shared.utils.io.read_json_file(folder / ORDER_FILE)
                taggers = OrderedDict((tag_name, SavedTagger((folder / _tagger_file(tag_name)).read_bytes()))
                                      for tag_name in order)
        except (ValueError, FileNotFoundError, FileIOException) as error:
            logger.warning("CRF entity extractor: no usable taggers in this archive (%s)", error)
            return cls(config, model_storage, resource)
        extractor = cls(config, model_storage, resource, taggers)  # type: ignore[arg-type]
        extractor.crf_order = order
        return extractor
