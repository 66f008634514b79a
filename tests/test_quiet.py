"""Every documented way of running a notebook is quiet: no "running over TCP without encryption" warning.

The warning is ipykernel 7's, printed whenever a kernel manager starts it over TCP without CurveZMQ keys. The
notebooks name the kernel "jinshui" (helpers.kernel), whose provisioner asks jupyter_client for the keys.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
from collections_helper import write_notebook

from helpers import kernel, paths

WARNING = "without encryption"
PAPERMILL = str(Path(sys.executable).with_name("papermill"))


def _papermill(notebook: Path, output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The README's plain papermill command (no kernel named: the notebook's own)."""
    return subprocess.run(
        [PAPERMILL, str(notebook), str(output), "--no-progress-bar", *extra],
        capture_output=True, text=True, timeout=180, cwd=paths.PROJECT_ROOT, check=False,
    )  # fmt: skip


def test_every_notebook_names_the_encrypted_kernel() -> None:
    names = {
        path.stem: nbformat.read(path, as_version=4).metadata.kernelspec.name
        for path in paths.NOTEBOOKS_DIR.glob("*.ipynb")
    }
    assert names and set(names.values()) == {kernel.KERNEL_NAME}, names


def test_a_plain_papermill_run_of_a_notebook_is_quiet(tmp_path: Path) -> None:
    result = _papermill(
        paths.NOTEBOOKS_DIR / "06_governance.ipynb", tmp_path / "06_governance.ipynb",
        "-p", "output_dir", str(tmp_path), "-p", "lang", "zh",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert WARNING not in result.stderr + result.stdout


def test_the_kernel_is_given_curve_keys_and_the_check_sees_the_warning_without_them(tmp_path: Path) -> None:
    # The connection file the kernel reads carries a CurveZMQ key pair under the project's kernel; under
    # ipykernel's plain "python3" the same run prints the warning (so the check above can fail).
    body = (
        "import json\nfrom ipykernel import get_connection_info\n"
        "print('CURVE' if json.loads(get_connection_info()).get('curve_publickey') else 'PLAIN')"
    )
    notebook = write_notebook(tmp_path, "keys", body)
    for name, expected, warned in ((kernel.KERNEL_NAME, "CURVE", False), ("python3", "PLAIN", True)):
        output = tmp_path / f"out-{name}.ipynb"
        result = _papermill(notebook, output, "-k", name)
        assert result.returncode == 0, result.stderr
        printed = json.dumps(nbformat.read(output, as_version=4).cells[-1].outputs)
        assert expected in printed, (name, printed)
        assert (WARNING in result.stderr) is warned, (name, result.stderr)


def test_a_caller_s_own_policy_is_kept(tmp_path: Path) -> None:
    # The provisioner only fills in a policy nobody chose: a launch that disables encryption gets no keys,
    # one that says nothing gets a pair.
    import asyncio

    from jupyter_client.manager import AsyncKernelManager

    keys = {}
    for policy in ("disabled", None):
        manager = AsyncKernelManager(kernel_name=kernel.KERNEL_NAME, connection_file=str(tmp_path / f"{policy}.json"))
        provisioner = kernel.EncryptedProvisioner(kernel_id="k", kernel_spec=manager.kernel_spec, parent=manager)
        asyncio.run(provisioner.pre_launch(**({"transport_encryption": policy} if policy else {})))
        keys[policy] = manager.curve_publickey is not None
    assert keys == {"disabled": False, None: True}
