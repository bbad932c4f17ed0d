"""District bundles: a folder of YAML files an administrator writes by hand.

``import_path`` validates every bundle under a path first and writes only if all are valid, in
one transaction; ``export_path`` writes the database back out as bundles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from knowledge.bundle.export import export_all
from knowledge.bundle.importer import DistrictReport, import_bundles, preflight
from knowledge.bundle.load import load_bundles
from knowledge.bundle.problems import Problem


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    reports: list[DistrictReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def import_path(factory: sessionmaker[Session], path: Path, today: dt.date, weeks_ahead: int = 8,
                dry_run: bool = False) -> ImportResult:
    """Validate everything under ``path`` without touching the database, then import it all
    in one transaction (rolled back for a dry run)."""
    bundles, problems = load_bundles(path)
    if problems:
        return ImportResult(problems=problems, dry_run=dry_run)
    with factory() as session:
        transaction = session.begin()
        try:
            problems = preflight(session, bundles)
            if problems:
                transaction.rollback()
                return ImportResult(problems=problems, dry_run=dry_run)
            reports = import_bundles(session, bundles, today, weeks_ahead)
            if dry_run:
                transaction.rollback()
            else:
                transaction.commit()
        except BaseException:
            transaction.rollback()
            raise
    return ImportResult(reports=reports, dry_run=dry_run)


def export_path(factory: sessionmaker[Session], target: Path,
                district_keys: list[str] | None = None) -> dict[str, dict[str, int]]:
    with factory() as session:
        return export_all(session, target, district_keys)


def check_export(target: Path, district_keys: list[str]) -> list[Problem]:
    """What importing the exported districts again would refuse: data stored before a check
    was added (a rule naming an unknown fact, say) is exported as it is, and this says what to
    fix before the bundle goes back in."""
    return [problem for key in district_keys for problem in load_bundles(target / key)[1]]


__all__ = ["ImportResult", "Problem", "check_export", "export_path", "import_path", "load_bundles"]
