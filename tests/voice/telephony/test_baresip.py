"""baresip, a real SIP softphone, calls the hotline: each side hears what the other plays."""

from __future__ import annotations

import audioop
import shutil
import subprocess
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.voice.telephony.conftest import RunningHotline, speech_clip
from tests.voice.telephony.tools import best_match, dominant_frequency, free_even_port, free_udp_port, tone
from voice.call import CALL_RATE

MODULES = Path("/usr/lib/baresip/modules")


def _configure(folder: Path, caller: str) -> None:
    """A softphone with no sound card: it says a 700 Hz tone (aufile) and writes what it hears
    to ``dump-…-dec.wav`` (sndfile)."""
    folder.mkdir(parents=True, exist_ok=True)
    with wave.open(str(folder / "say.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(CALL_RATE)
        out.writeframes(tone(700, 20.0))
    rtp = free_even_port()
    (folder / "config").write_text(
        "poll_method epoll\n"
        f"sip_listen 127.0.0.1:{free_udp_port()}\n"
        f"audio_source aufile,{folder / 'say.wav'}\n"
        "audio_player aubridge,nowhere\n"
        f"module_path {MODULES}\n"
        "module g711.so\nmodule aufile.so\nmodule aubridge.so\nmodule sndfile.so\n"
        "module_app account.so\nmodule_app menu.so\n"
        f"snd_path {folder}\n"
        f"rtp_ports {rtp}-{rtp + 10}\n")
    (folder / "accounts").write_text(f"<sip:{caller}@127.0.0.1>;regint=0;audio_codecs=PCMU/8000/1\n")


def _heard_by_baresip(folder: Path) -> bytes:
    dumps = sorted(folder.glob("dump-*-dec.wav"))
    assert dumps, "baresip wrote no recording"
    with wave.open(str(dumps[-1])) as recording:
        assert recording.getframerate() == CALL_RATE and recording.getnchannels() == 1
        return recording.readframes(recording.getnframes())


def test_baresip_hears_the_hotline_and_the_hotline_hears_baresip(hotline: RunningHotline, tmp_path: Path) -> None:
    if not (shutil.which("baresip") and (MODULES / "sndfile.so").exists()):
        pytest.fail("baresip is missing: apt-get install baresip-core (make install does)")
    caller = "13955500001"
    _configure(tmp_path, caller)
    phone = subprocess.Popen(["baresip", "-f", str(tmp_path), "-e", f"/dial sip:speak@127.0.0.1:{hotline.port}",
                              "-t", "60"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 40
        while caller not in hotline.sessions.records:
            assert phone.poll() is None and time.monotonic() < deadline, "the hotline got no call from baresip"
            time.sleep(0.1)
        record = hotline.sessions.record_for(caller, timeout=40)  # the hotline spoke, then hung up
    finally:
        phone.terminate()
        phone.wait(10)
    assert record.hangup_reason == "local"
    assert dominant_frequency(bytes(record.heard)) == pytest.approx(700, abs=10)
    heard = _heard_by_baresip(tmp_path)
    reference = audioop.ulaw2lin(audioop.lin2ulaw(speech_clip(), 2), 2)
    pieces = [reference[i:i + CALL_RATE] for i in range(0, len(reference) - CALL_RATE, CALL_RATE)]
    matches = [best_match(heard, piece) for piece in pieces]
    assert min(matches) > 0.7 and float(np.median(matches)) > 0.95, matches
