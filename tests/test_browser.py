"""Does a student's JupyterLab, in a real browser, show the check messages: failing on stubs, passing when done?

JupyterLab runs on localhost with a copy of release/; headless Chromium from
Debian's `chromium` package is driven through Debian's `chromedriver`, both
named by path, so no test tool downloads a browser or a driver.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from nncourse.authoring import completed_notebook
from nncourse.notebook import grade_id

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_forward"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# Without internet, Chromium's background services flood refused connections.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--no-proxy-server", "--window-size=1280,900",
]
# A fresh settings folder: no news pop-up, and no request to the outside for it.
LAB_SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings": '{"fetchNews": "false", "checkForUpdates": false}'}
SERVER_START_SECONDS = 60
PAGE_SECONDS = 60
RUN_SECONDS = 120
STDERR = "application/vnd.jupyter.stderr"  # how JupyterLab marks tracebacks and stderr


def in_ci():
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require_browser():
    """Skip (fail, in CI) unless Chromium, its driver and selenium are installed."""
    missing = [f"{p} (Debian package {pkg})" for p, pkg in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] if not p.is_file()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[dev]')")
    if missing:
        reason = "the browser test needs " + ", ".join(missing)
        if in_ci():
            pytest.fail(f"{reason}; .ci/run installs them, so CI must have them", pytrace=False)
        pytest.skip(reason)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(base_url, token, server, log_path):
    """Return once the server answers its status API; fail with its log if it dies or never answers."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {server.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with opener.open(f"{base_url}/api/status?token={token}", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"JupyterLab did not answer within {SERVER_START_SECONDS} s:\n{log_path.read_text()[-3000:]}")


def stop_server(server):
    """Stop the server (it shuts its kernels down on SIGTERM); kill its process group if it hangs."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    server.wait()


@pytest.fixture
def lab(course, tmp_path):
    """Start JupyterLab on a copy of release/; yield (root_dir, notebook_url); stop it however the test ends."""
    require_browser()
    root_dir = tmp_path / "release"
    shutil.copytree(course / "release", root_dir)
    home = tmp_path / "jupyter"
    for name, text in LAB_SETTINGS.items():
        (home / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (home / "settings" / name).write_text(text)
    env = dict(
        os.environ,
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"),
    )
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.allow_root=True",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
    ]
    log_path = tmp_path / "jupyterlab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path, start_new_session=True)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_for_server(base_url, token, server, log_path)
            yield root_dir, f"{base_url}/lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb?token={token}"
        finally:
            stop_server(server)


@pytest.fixture
def browser(tmp_path):
    """Yield a headless Chromium driven by Debian's chromedriver; quit it however the test ends."""
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    # An explicit driver path keeps Selenium Manager (which would download one) out of it.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER), log_output=str(tmp_path / "chromedriver.log")), options=options)
    try:
        yield driver
    finally:
        driver.quit()


class Page:
    """The JupyterLab page, driven the way a student would: menus, dialogs, what the screen shows."""

    # The status bar says "Python 3 (ipykernel) | Idle" once a kernel is connected and
    # idle; the toolbar's indicator says "idle" even before there is a kernel.
    STATE = """
        const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        const dialog = document.querySelector('.jp-Dialog');
        return {
            kernel: [...document.querySelectorAll('.jp-StatusBar-TextItem')].map(e => e.textContent.trim()).find(t => t.includes(' | ')),
            prompts: panel ? [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim()) : [],
            dialog: dialog ? dialog.textContent : null,
        };
    """

    def __init__(self, driver, shots):
        self.driver, self.shots = driver, shots

    def wait(self, condition, seconds, what):
        """Wait until condition() is truthy; on timeout, fail with a screenshot of the page."""
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        try:
            return WebDriverWait(self.driver, seconds, poll_frequency=0.25).until(lambda _: condition())
        except TimeoutException:
            shot = self.screenshot("timeout")
            pytest.fail(f"waited {seconds} s for {what}; the page is in {shot}; state {self.driver.execute_script(self.STATE)}")

    def screenshot(self, name):
        path = self.shots / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def kernel_idle(self):
        state = self.driver.execute_script(self.STATE)
        return bool(state["prompts"]) and re.fullmatch(r"(?!No Kernel).* \| Idle", state["kernel"] or "") is not None

    def run_finished(self):
        """Has a run ended: the first cell ran, no cell is queued ([*]) and the kernel is idle?"""
        prompts = self.driver.execute_script(self.STATE)["prompts"]
        return (self.kernel_idle() and re.fullmatch(r"\[\d+\]:", prompts[0]) is not None
                and not any("*" in p for p in prompts))

    def open(self, url):
        self.driver.get(url)
        self.wait(self.kernel_idle, PAGE_SECONDS, "the notebook to open with an idle kernel")

    def choose(self, menu, item):
        """Click a top menu, then one of its items."""
        self.driver.find_element("xpath", f"//div[contains(@class, 'lm-MenuBar-itemLabel') and text()='{menu}']").click()
        self.wait(lambda: self.clickable(f"//li[contains(@class, 'lm-Menu-item')][.//div[text()='{item}']]"),
                  PAGE_SECONDS, f"{menu} > {item}").click()

    def clickable(self, xpath):
        """Return the first visible, enabled element at `xpath`, or None."""
        found = [e for e in self.driver.find_elements("xpath", xpath) if e.is_displayed() and e.is_enabled()]
        return found[0] if found else None

    def save(self):
        self.choose("File", "Save Notebook")
        self.wait(lambda: not self.driver.find_elements("css selector", ".lm-TabBar-tab.jp-mod-current.jp-mod-dirty"),
                  PAGE_SECONDS, "the notebook to be saved")

    def outputs(self, mime_type=None):
        """Return the text of every output on the page (errors and stderr have mime type application/vnd.jupyter.stderr)."""
        kind = f'[data-mime-type="{mime_type}"]' if mime_type else ""
        return [e.text for e in self.driver.find_elements("css selector", f".jp-NotebookPanel .jp-OutputArea-output{kind}")]

    def show(self, text):
        """Scroll the output that contains `text` to the middle of the screen; return it once it is visible."""
        element = self.driver.find_element("xpath", f"//div[contains(@class, 'jp-OutputArea-output')][contains(., '{text}')]")
        self.wait(lambda: self.scrolled_to(element) and element.is_displayed(), PAGE_SECONDS, f"'{text}' to be on screen")
        return element

    def scrolled_to(self, element):
        """Scroll the element into view; return True once it has stayed in view since the last call.

        Cells off screen are laid out lazily, so the first scroll can land short.
        """
        return self.driver.execute_script("""
            const element = arguments[0];
            const r = element.getBoundingClientRect();
            const c = element.closest('.jp-WindowedPanel-outer').getBoundingClientRect();
            const inView = r.height > 0 && r.top >= c.top && r.bottom <= c.bottom;
            const steady = inView && element.dataset.testTop === String(r.top);
            element.dataset.testTop = String(r.top);
            if (!inView) element.scrollIntoView({block: 'center'});
            return steady;
        """, element)


def check_cells(notebook):
    return [grade_id(c) for c in notebook.cells if (grade_id(c) or "").startswith("check_")]


def test_jupyterlab_shows_failures_on_stubs_and_passes_on_finished_notebook(course, lab, browser, tmp_path):
    root_dir, url = lab
    page = Page(browser, tmp_path)
    notebook_path = root_dir / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

    page.open(url)
    page.choose("Run", "Run All Cells")
    page.wait(page.run_finished, RUN_SECONDS, "Run All Cells to finish on the stubs")
    # The first check cell raises, which stops Run All there, as it would for a student.
    message = page.show("`sigmoid` is not written yet").text
    assert re.search(r"\d+ of \d+ public checks of `sigmoid` failed", message), message
    assert any("ChecksFailed" in text for text in page.outputs(STDERR))
    page.screenshot(f"{ASSIGNMENT}-stubs")

    page.save()  # so that reloading the page asks nothing
    finished = completed_notebook(course, ASSIGNMENT)
    nbformat.write(finished, notebook_path)
    page.open(url)
    page.choose("Kernel", "Restart Kernel and Run All Cells…")
    page.wait(lambda: page.clickable("//div[contains(@class, 'jp-Dialog')]//button[contains(@class, 'jp-mod-accept')]"),
              PAGE_SECONDS, "the restart dialog").click()
    page.wait(page.run_finished, RUN_SECONDS, "Restart Kernel and Run All Cells to finish on the finished notebook")
    message = page.show("public checks of `softmax` passed").text
    assert re.search(r"All \d+ public checks of `softmax` passed", message), message
    outputs = page.outputs()
    passes = [t for t in outputs if re.search(r"All \d+ public checks of `\w+` passed", t)]
    assert len(passes) == len(check_cells(finished))
    assert not [t for t in outputs if "[FAIL]" in t or "failed" in t]
    assert page.outputs(STDERR) == []
    page.screenshot(f"{ASSIGNMENT}-finished")
