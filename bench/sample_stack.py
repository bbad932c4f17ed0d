"""What the chat and hub benchmarks share: the command-line options for the engine, and a Rasa
and action server stack over a throw-away database of the sample districts."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careline.engine import model_path  # noqa: E402
from careline.paths import SAMPLE_BUNDLES  # noqa: E402
from careline.stack import Stack  # noqa: E402
from knowledge import db  # noqa: E402
from knowledge.bundle import import_path  # noqa: E402


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=None, help="a trained model (default: the current inputs' one)")
    parser.add_argument("--workers", type=int, default=1, help="Rasa servers sharing the load")


@contextmanager
def sample_stack(args: argparse.Namespace) -> Iterator[tuple[Stack, str]]:
    """A started stack and its database URL; refuses to measure a server that has no model."""
    model = args.model or model_path()
    if not model.exists():
        raise SystemExit(f"no trained model at {model}: run `make model` or pass --model")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        assert import_path(db.session_factory(engine), SAMPLE_BUNDLES, dt.date.today()).ok
        engine.dispose()
        stack = Stack(folder, url, reply_timeout=60, rasa_workers=args.workers).start(model)
        try:
            yield stack, url
        finally:
            stack.stop()
