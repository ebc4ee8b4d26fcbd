"""A folder on a filesystem that makes reflink clones, for the store's tests of `copy_file`:
$VAIKUTTAVUUS_REFLINK_DIR when set (e.g. a btrfs or XFS mount of the machine), else a small
XFS image made with mkfs.xfs (reflink=1) and mounted through a loop device, which needs root,
xfsprogs (`.ci/run` installs it) and a machine that lets a container mount. Where none can be
had, the tests that need it are skipped and say why."""

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REFLINK_ENV = "VAIKUTTAVUUS_REFLINK_DIR"
IMAGE_BYTES = 400 * 1024 * 1024  # sparse; XFS wants at least 300 MB


def _run(*command: str) -> str | None:
    """None when the command worked, else what it said (for the skip's reason)."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except OSError as error:
        return f"{command[0]}: {error}"
    if done.returncode != 0:
        return f"{' '.join(command)}: {(done.stderr or done.stdout).strip()[:200]}"
    return None


@pytest.fixture(scope="session")
def reflink_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    given = os.environ.get(REFLINK_ENV)
    if given:
        folder = Path(given) / f"vaikuttavuus-tests-{os.getpid()}"
        folder.mkdir(parents=True, exist_ok=True)
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if os.geteuid() != 0:
        pytest.skip(f"no reflink filesystem: ${REFLINK_ENV} unset and not root to mount one")
    if shutil.which("mkfs.xfs") is None:
        pytest.skip(f"no reflink filesystem: ${REFLINK_ENV} unset and no mkfs.xfs (xfsprogs)")
    base = tmp_path_factory.mktemp("reflink")
    image, mount = base / "xfs.img", base / "mnt"
    with image.open("wb") as file:
        file.truncate(IMAGE_BYTES)
    mount.mkdir()
    failed = _run("mkfs.xfs", "-q", "-f", "-m", "reflink=1", str(image)) or _run(
        "mount", "-o", "loop", str(image), str(mount)
    )
    if failed:
        image.unlink()
        pytest.skip(f"no reflink filesystem: {failed}")
    try:
        yield mount
    finally:
        _run("umount", str(mount))
        image.unlink(missing_ok=True)
