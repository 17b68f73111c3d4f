"""Finding a data set's files: --data-dir, OPTIFORGE_DATA_DIR, the download cache, ../shared/data."""

from __future__ import annotations

from pathlib import Path

from optiforge.datasets._registry import DatasetSpec


def cache_root() -> Path:
    """Where ``optiforge datasets fetch`` stores files: ``<home>/datasets``."""
    from optiforge.config import get_settings

    return get_settings().home / "datasets"


def _ancestors(start: Path) -> list[Path]:
    start = start.resolve()
    return [start, *start.parents]


def shared_data_dirs() -> list[Path]:
    """``shared/data`` folders found walking up from the package and from the working directory.

    This is how a checkout next to ``../shared/data`` (tests, CI, ``make demo``) finds the
    benchmark files without configuration.
    """
    found: list[Path] = []
    for start in (Path(__file__).parent, Path.cwd()):
        for base in _ancestors(start):
            cand = base / "shared" / "data"
            if cand.is_dir() and cand.resolve() not in found:
                found.append(cand.resolve())
                break
    return found


def search_roots(data_dir: str | Path | None = None) -> list[tuple[str, Path]]:
    """The folders searched, first to last, each with where it came from."""
    from optiforge.config import get_settings

    roots: list[tuple[str, Path]] = []
    if data_dir is not None:
        roots.append(("--data-dir", Path(data_dir).expanduser()))
    settings_dir = get_settings().data_dir
    if settings_dir is not None:
        roots.append(("OPTIFORGE_DATA_DIR", Path(settings_dir).expanduser()))
    roots.append(("cache", cache_root()))
    roots.extend(("shared data", p) for p in shared_data_dirs())
    return roots


def _is_complexor_dir(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*/description.txt"))


def candidates(spec: DatasetSpec, root: Path) -> list[Path]:
    """Paths under ``root`` where ``spec``'s data may be, best first."""
    names = (spec.data_file.name, *spec.alt_names)
    out: list[Path] = []
    for folder in (root / spec.name, root):
        out.extend(folder / n for n in names)
    if spec.loader == "complexor":
        out.extend([root / spec.name, root])
    return out


def find_in(spec: DatasetSpec, root: Path) -> Path | None:
    """The data file (or ComplexOR folder) of ``spec`` under ``root``, if there."""
    for cand in candidates(spec, root):
        if spec.loader == "complexor" and _is_complexor_dir(cand):
            return cand
        if cand.is_file():
            return cand
    return None


def locate(spec: DatasetSpec, data_dir: str | Path | None = None) -> tuple[Path, str] | None:
    """(path, origin) of the first copy of ``spec`` in lookup order, or None."""
    for origin, root in search_roots(data_dir):
        found = find_in(spec, root)
        if found is not None:
            return found, origin
    return None


def how_to_get(spec: DatasetSpec) -> str:
    """What the user should do when ``spec`` is not found."""
    if spec.fetchable:
        return f"run `optiforge datasets fetch {spec.name}`, or pass --data-dir / set OPTIFORGE_DATA_DIR"
    where = " or ".join(
        f"<DATA_DIR>/{spec.name}/{n}" for n in (spec.data_file.name, *spec.alt_names[:1])
    )
    return (
        f"optiforge does not ship or download it (license: {spec.license}): "
        f"put your copy at {where} and pass --data-dir / set OPTIFORGE_DATA_DIR, or give --path"
    )
