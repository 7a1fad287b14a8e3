"""The models.dev data repository (TOML per provider and model) at a named commit, as facts.

models.dev publishes ``api.json`` built from TOML files in its repository; reading the TOML at a
pinned commit makes the catalog build reproducible where the live JSON is not. The files are
turned into the same objects the site's generator writes, then into :class:`Facts` through
``modelsync.modelsdev.model_facts`` (the mapping the live ``api.json`` source uses), so both
paths agree:

- ``providers/<id>/models/**/<model>.toml`` is one model; its id is the path below ``models/``
  without ``.toml`` (ids may contain ``/``). Symlinked files are followed.
- ``base_model = "<lab>/<model>"`` deep-merges ``models/<lab>/<model>.toml`` underneath the
  provider's file (the provider's values win, arrays are replaced), then ``base_model_omit``
  removes dot-paths, as the generator does. ``id``, ``benchmarks``, ``license``, ``links`` and
  ``weights`` are not inherited.
- TOML numbers are read as exact decimals (``2.50`` stays 2.5, never a float).
- ``status = "deprecated"`` means models.dev considers the model *shut down* (its schema: "the
  provider's public API no longer serves the model"; it is set after the shutdown date, models.dev
  issue #1955), so it becomes lifecycle ``retired`` with no date, never "deprecation announced".
"""

from __future__ import annotations

import posixpath
import subprocess
import tomllib
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from ..modelsdev import PROVIDER_MAP, model_facts
from . import MODELSDEV, SourceRecord

__all__ = ["parse_tree", "read_git_tree"]

_NOT_INHERITED: Final = frozenset({"id", "benchmarks", "license", "links", "weights"})


def read_git_tree(git_dir: Path, commit: str) -> dict[str, str]:
    """Every TOML file the build needs at ``commit`` of a clone or bare repository, by path.

    Reads ``providers/<id>/`` of the providers we map and the shared ``models/`` metadata, with
    symlinks resolved inside the tree. Raises ``RuntimeError`` naming the command that failed.
    """
    wanted = ["models", *(f"providers/{p}" for p in PROVIDER_MAP)]
    listing = _git(git_dir, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *wanted)
    entries: dict[str, tuple[str, str]] = {}
    for line in listing.split(b"\0"):
        if not line:
            continue
        meta, _, raw_path = line.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        if kind == "blob":
            entries[raw_path.decode()] = (mode, sha)
    blobs = _cat_blobs(git_dir, sorted({sha for _, sha in entries.values()}))
    files: dict[str, str] = {}
    for path in entries:
        if not path.endswith(".toml"):
            continue
        resolved = _resolve(path, entries, blobs)
        if resolved is not None:
            files[path] = blobs[entries[resolved][1]].decode("utf-8")
    return files


def _resolve(
    path: str, entries: Mapping[str, tuple[str, str]], blobs: Mapping[str, bytes]
) -> str | None:
    seen: set[str] = set()
    while path in entries and entries[path][0] == "120000":
        if path in seen:
            return None
        seen.add(path)
        target = blobs[entries[path][1]].decode()
        path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    return path if path in entries else None


def _git(git_dir: Path, *args: str) -> bytes:
    cmd = ["git", "--git-dir", str(_git_dir(git_dir)), *args]
    done = subprocess.run(cmd, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed: {done.stderr.decode().strip()}")
    return done.stdout


def _git_dir(path: Path) -> Path:
    return path / ".git" if (path / ".git").exists() else path


def _cat_blobs(git_dir: Path, shas: list[str]) -> dict[str, bytes]:
    cmd = ["git", "--git-dir", str(_git_dir(git_dir)), "cat-file", "--batch"]
    done = subprocess.run(
        cmd, input="".join(f"{s}\n" for s in shas).encode(), capture_output=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed: {done.stderr.decode().strip()}")
    out: dict[str, bytes] = {}
    data, pos = done.stdout, 0
    for sha in shas:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        if len(header) != 3:
            raise RuntimeError(f"git cat-file could not read {sha}: {data[pos:end]!r}")
        size = int(header[2])
        out[sha] = data[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return out


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge as the generator's ``mergeDeep``: tables merge, anything else is replaced."""
    merged = dict(base)
    for key, value in over.items():
        held = merged.get(key)
        if isinstance(held, Mapping) and isinstance(value, Mapping):
            merged[key] = _merge(held, value)
        else:
            merged[key] = value
    return merged


def _omit(target: dict[str, Any], path: str) -> None:
    parts = path.split(".")
    chain = [target]
    for part in parts[:-1]:
        nxt = chain[-1].get(part)
        if not isinstance(nxt, dict):
            return
        chain.append(nxt)
    chain[-1].pop(parts[-1], None)
    for parent, key in zip(reversed(chain[:-1]), reversed(parts[:-1]), strict=True):
        if parent.get(key) == {}:
            del parent[key]
        else:
            break


def _plain(value: Any) -> Any:
    """TOML dates become ISO strings, as in api.json."""
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _load(text: str) -> dict[str, Any]:
    data: dict[str, Any] = _plain(tomllib.loads(text, parse_float=Decimal))
    return data


def parse_tree(
    files: Mapping[str, str], *, as_of: str, skipped: list[str] | None = None
) -> Iterator[SourceRecord]:
    """Yield a record per model file of our providers in ``files`` (path -> TOML text).

    A file that does not parse, lacks required fields, or names a missing ``base_model`` is
    skipped, and ``path: reason`` appended to ``skipped`` when given (the build reports them).
    """
    shared: dict[str, dict[str, Any]] = {}
    for path, text in files.items():
        if path.startswith("models/") and path.endswith(".toml"):
            try:
                shared[path[len("models/") : -len(".toml")]] = _load(text)
            except tomllib.TOMLDecodeError:
                continue
    for path in sorted(files):
        parts = path.split("/", 3)
        if len(parts) < 4 or parts[0] != "providers" or parts[2] != "models":
            continue
        ours = PROVIDER_MAP.get(parts[1])
        if ours is None or not path.endswith(".toml"):
            continue
        model_id = parts[3][: -len(".toml")]
        entry = _entry(files[path], shared)
        if entry is None:
            if skipped is not None:
                skipped.append(f"{path}: unreadable TOML or unknown base_model")
            continue
        try:
            facts = model_facts(ours, model_id, entry, as_of)
        except ValueError as exc:
            if skipped is not None:
                skipped.append(f"{path}: {str(exc).splitlines()[0]}")
            continue
        notes: tuple[str, ...] = ()
        if facts.lifecycle == "deprecated":
            facts = facts.model_copy(update={"lifecycle": "retired"})
            notes = ('status = "deprecated": shut down (models.dev #1955)',)
        limit = entry.get("limit")
        prompt = limit.get("input") if isinstance(limit, dict) else None
        yield SourceRecord(
            source=MODELSDEV,
            key=path,
            facts=facts.model_copy(update={"origin": MODELSDEV}),
            notes=notes,
            input_limit=prompt if isinstance(prompt, int) and prompt > 0 else None,
        )


def _entry(text: str, shared: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    try:
        entry = _load(text)
    except tomllib.TOMLDecodeError:
        return None
    base_id = entry.pop("base_model", None)
    omit = entry.pop("base_model_omit", None) or []
    if base_id is None:
        return entry
    base = shared.get(str(base_id))
    if base is None:
        return None
    inherited = {k: v for k, v in base.items() if k not in _NOT_INHERITED}
    merged = _merge(inherited, entry)
    for dotted in omit:
        if isinstance(dotted, str):
            _omit(merged, dotted)
    return merged
