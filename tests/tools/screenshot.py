"""Log into a running Odoo in headless Chromium and save a screenshot of a page, as a person would see it.

    python tests/tools/screenshot.py http://127.0.0.1:8069 /odoo/sales out.png [--login admin --password admin]

Drives Chromium through its DevTools protocol (websocket-client, already a test dependency): opens the
login page, fills the form, submits, opens the page and captures it. Used to check bin/run by eye.
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("Chromium not found: apt-get install chromium")


class Browser:
    def __init__(self, width=1440, height=900):
        self.profile = tempfile.mkdtemp(prefix="suite-shot-")
        self.port = 9333
        self.proc = subprocess.Popen(
            [
                find_chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--window-size={width},{height}",
                f"--user-data-dir={self.profile}",
                f"--remote-debugging-port={self.port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ws = websocket.create_connection(self._page_ws_url(), timeout=60)
        self.next_id = 0
        self.call("Page.enable")

    def _page_ws_url(self):
        for _attempt in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json") as response:
                    targets = json.load(response)
                pages = [t for t in targets if t["type"] == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("Chromium did not open its DevTools port")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        return result.get("result", {}).get("value")

    def goto(self, url, settle=4.0):
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'")
        time.sleep(settle)

    def wait_for(self, condition, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"!!({condition})"):
                return
            time.sleep(0.3)
        raise SystemExit(f"timed out waiting for {condition}")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as image:
            image.write(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("path")
    parser.add_argument("output")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--db")
    args = parser.parse_args()
    browser = Browser()
    try:
        login_url = f"{args.base_url}/web/login" + (f"?db={args.db}" if args.db else "")
        browser.goto(login_url, settle=1)
        browser.evaluate(
            f"""(() => {{
                document.querySelector('input[name=login]').value = {json.dumps(args.login)};
                document.querySelector('input[name=password]').value = {json.dumps(args.password)};
                document.querySelector('form.oe_login_form').submit();
            }})()"""
        )
        browser.wait_for("location.pathname.startsWith('/odoo')")
        browser.goto(f"{args.base_url}{args.path}", settle=6)
        browser.screenshot(args.output)
        print(f"saved {os.path.abspath(args.output)}")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
