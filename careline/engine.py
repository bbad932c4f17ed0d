"""The dialogue engine (Rasa 3.6.21 in its own venv): its training inputs, the model they make,
and training only when an input changed (the model file is named by a hash of its inputs)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from careline.paths import PROJECT_ROOT

ENGINE_VENV = PROJECT_ROOT / ".venv-rasa"
# The environment variable a Rasa server takes its API token from (careline.secrets.RASA_API).
RASA_TOKEN_ENV = "CARELINE_SECRET_RASA_API"
# Outside the work tree, so that a fresh clone (CI) finds the model its inputs already made.
MODELS = Path(os.environ.get("CARELINE_MODEL_CACHE") or Path.home() / ".cache" / "careline" / "models")


@dataclass(frozen=True)
class TrainingInputs:
    """What a model is made of: config, domain, stories and training data, and the code of our
    own pipeline components (their training may change). Code they only call at run time
    (bot/emergency.py) is not an input: changing it needs no new training."""

    config: Path
    domain: Path
    data: tuple[Path, ...]
    code: tuple[Path, ...] = ()

    @classmethod
    def of_project(cls, root: Path = PROJECT_ROOT) -> TrainingInputs:
        nlu = sorted(p for lang in ("zh", "en") for p in (root / "nlu" / lang).glob("*.yml"))
        stories = sorted((root / "bot" / "data").glob("*.yml"))
        code = sorted([*(root / "bot" / "components").glob("*.py"), *(root / "bot" / "jieba").rglob("*.txt")])
        return cls(root / "config.yml", root / "bot" / "domain", tuple(nlu + stories), tuple(code))

    def files(self) -> list[Path]:
        return [self.config, *sorted(self.domain.glob("*.yml")), *self.data, *self.code,
                PROJECT_ROOT / "requirements" / "engine.txt"]

    def digest(self) -> str:
        sha = hashlib.sha256()
        for path in self.files():
            sha.update(str(path.relative_to(PROJECT_ROOT)).encode())
            sha.update(path.read_bytes())
        return sha.hexdigest()[:16]


def engine_env() -> dict[str, str]:
    """Environment for engine processes: our components importable, no telemetry."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def model_path(inputs: TrainingInputs | None = None) -> Path:
    inputs = inputs or TrainingInputs.of_project()
    return MODELS / f"careline-{inputs.digest()}.tar.gz"


def train_if_needed(force: bool = False) -> tuple[Path, bool]:
    """Train unless a model for exactly these inputs exists; returns (model, trained now)."""
    inputs = TrainingInputs.of_project()
    target = model_path(inputs)
    if target.exists() and not force:
        return target, False
    MODELS.mkdir(parents=True, exist_ok=True)
    command = [str(ENGINE_VENV / "bin" / "rasa"), "train", "--config", str(inputs.config),
               "--domain", str(inputs.domain), "--data", *map(str, inputs.data),
               "--out", str(MODELS), "--fixed-model-name", target.name.removesuffix(".tar.gz")]
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, env=engine_env())
    for old in MODELS.glob("careline-*.tar.gz"):
        if old != target:
            old.unlink()
    return target, True


def sql_tracker_store(url: str) -> dict[str, object]:
    """Rasa's SQLTrackerStore wants the URL's parts, not the URL."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    dialect = parsed.get_backend_name()
    store: dict[str, object] = {"type": "SQL", "dialect": "postgresql" if dialect == "postgresql" else dialect,
                                "db": parsed.database}
    for key, value in (("host", parsed.host), ("port", parsed.port), ("username", parsed.username),
                       ("password", parsed.password)):
        if value is not None:
            store[key] = value
    if dialect == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return store


def redis_lock_store(url: str) -> dict[str, object]:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    store: dict[str, object] = {"type": "redis", "url": parsed.hostname or "localhost", "port": parsed.port or 6379,
                                "db": int((parsed.path or "/0").lstrip("/") or 0)}
    if parsed.password:
        store["password"] = parsed.password
    return store


def write_engine_files(folder: Path, action_url: str, reply_timeout: float,
                       tracker_store_url: str | None = None, lock_store_url: str | None = None, *,
                       action_token: str, api_token: str) -> tuple[Path, Path]:
    """endpoints.yml and credentials.yml for one Rasa server process, readable by their owner only:
    they hold the secret Rasa sends the action server (``action_token``, as a header, so it stays
    out of access logs) and the one our REST channel asks of its callers (``api_token``)."""
    import yaml

    if not action_token or not api_token:
        raise ValueError("the engine files need both tokens")
    folder.mkdir(parents=True, exist_ok=True)
    endpoints: dict[str, object] = {"action_endpoint": {
        "url": action_url, "headers": {"Authorization": f"Bearer {action_token}"}}}
    if tracker_store_url:
        endpoints["tracker_store"] = sql_tracker_store(tracker_store_url)
    if lock_store_url:
        endpoints["lock_store"] = redis_lock_store(lock_store_url)
    credentials = {"bot.channels.rest.CareLineRestInput": {"timeout": reply_timeout, "token": api_token}}
    endpoints_file, credentials_file = folder / "endpoints.yml", folder / "credentials.yml"
    _write_private(endpoints_file, yaml.safe_dump(endpoints))
    _write_private(credentials_file, yaml.safe_dump(credentials))
    return endpoints_file, credentials_file


def _write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with a file only its owner can read, even if an older one was not."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def rasa_run_command(model: Path, port: int, endpoints: Path, credentials: Path, host: str = "127.0.0.1") -> list[str]:
    """Rasa with its HTTP API on; bot.serve refuses to start it without the API token in
    :data:`RASA_TOKEN_ENV` (given in the environment, so that it is not in the process list)."""
    return [str(ENGINE_VENV / "bin" / "python"), "-m", "bot.serve", "run", "--model", str(model), "--port", str(port),
            "--interface", host, "--endpoints", str(endpoints), "--credentials", str(credentials),
            "--enable-api"]
