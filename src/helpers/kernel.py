"""The project's Jupyter kernel: ipykernel, with its TCP sockets encrypted (CurveZMQ).

ipykernel 7 warns ``Kernel is running over TCP without encryption`` whenever a kernel manager starts it over TCP
without CurveZMQ keys — every plain ``papermill`` run and every JupyterLab kernel: jupyter_client 8.10 can
provision the keys, but only when its ``transport_encryption`` policy says so, and the policy defaults to
``disabled``. The kernelspec ``jinshui`` (installed into the environment by ``make setup``; the notebooks name
it) starts the same ipykernel through :class:`EncryptedProvisioner`, which asks for the keys: the kernel's
traffic is encrypted and the warning has no cause. The batch runner uses ipc sockets of its own and is quiet
either way.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import zmq
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.provisioning import LocalProvisioner

KERNEL_NAME = "jinshui"
PROVISIONER_NAME = "jinshui-encrypted"
DISPLAY_NAME = "Python 3 (jinshui)"


class EncryptedProvisioner(LocalProvisioner):  # type: ignore[misc]
    """jupyter_client's local provisioner, with CurveZMQ keys for the kernel's sockets where pyzmq has Curve."""

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """Ask for transport encryption unless the caller chose a policy (a pyzmq without Curve keeps TCP)."""
        if zmq.has("curve"):
            kwargs.setdefault("transport_encryption", "auto")
        return await super().pre_launch(**kwargs)


def kernel_spec() -> dict[str, Any]:
    """The kernelspec: ipykernel's launch command ("python": the running interpreter), this provisioner, Curve."""
    return {
        "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "metadata": {
            "debugger": True,
            "supported_encryption": ["curve"],
            "kernel_provisioner": {"provisioner_name": PROVISIONER_NAME},
        },
        "kernel_protocol_version": "5.5",
    }


def install(prefix: str = sys.prefix) -> Path:
    """Install the kernelspec under ``prefix`` (the environment by default); return the installed folder.

    jupyter_client copies the folder into place, never writing an existing file in place.
    """
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "kernel.json").write_text(json.dumps(kernel_spec(), indent=1), encoding="utf-8")
        logos = Path(sys.prefix, "share", "jupyter", "kernels", "python3")
        for logo in logos.glob("logo-*.png"):
            shutil.copyfile(logo, Path(folder) / logo.name)
        installed = KernelSpecManager().install_kernel_spec(folder, KERNEL_NAME, prefix=prefix)
    return Path(installed)


if __name__ == "__main__":
    print(f"kernelspec {KERNEL_NAME!r} installed in {install()}")
