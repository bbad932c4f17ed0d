"""Where the project's files are. Dependency-free: the engine venv imports it too."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_BUNDLES = PROJECT_ROOT / "knowledge" / "sample"
