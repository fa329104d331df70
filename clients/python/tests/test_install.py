"""`pip install ./clients/python` in a fresh virtual environment, without torch (started in the background by
conftest.py), then a computation through the installed client against a real lossd."""

import subprocess
import textwrap

from .conftest import FreshInstall, Served

SCRIPT = """
import importlib.util, sys
import lossd_client
assert importlib.util.find_spec("torch") is None, "torch is installed"
assert "site-packages" in lossd_client.__file__, lossd_client.__file__
with lossd_client.LossClient(sys.argv[1]) as client:
    r = client.compute("mse", input=[2.5, 4.8, 6.9, 9.5], target=[3, 5, 7, 9], grad=True)
    assert r.value == 0.13749998807907104, r
    assert "torch" not in sys.modules
    help_text = lossd_client.LossClient.cross_entropy.__doc__
    assert "Use when" in help_text
print("ok", r.grads["input"].dtype)
"""


def test_pip_install_in_a_fresh_virtualenv_without_torch(fresh_install: FreshInstall, lossd: Served) -> None:
    code, log = fresh_install.wait()
    assert code == 0, log
    done = subprocess.run(
        [str(fresh_install.python), "-c", textwrap.dedent(SCRIPT), lossd.url], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "ok float32"
