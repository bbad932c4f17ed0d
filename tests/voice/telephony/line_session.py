"""A call session for the hotline-process tests: it notes each call in a file of its own under
``CARELINE_TEST_CALLS_DIR`` (which process took it, when it started and ended), plays a tone for
``CARELINE_TEST_CALL_SECONDS`` and hangs up."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from pathlib import Path

import numpy as np

from voice.call import CALL_RATE, Call


async def handle_call(call: Call) -> None:
    seconds = float(os.environ.get("CARELINE_TEST_CALL_SECONDS", "2"))
    started = time.time()
    samples = np.arange(int(CALL_RATE * seconds)) / CALL_RATE
    call.play((np.sin(2 * np.pi * 1000 * samples) * 6000).astype("<i2").tobytes())
    await asyncio.sleep(seconds)
    await call.hang_up()
    record = {"pid": os.getpid(), "start": started, "end": time.time(), "call_id": call.call_id}
    folder = Path(os.environ["CARELINE_TEST_CALLS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{uuid.uuid4().hex}.json").write_text(json.dumps(record))
