"""``estate.app_server``: Streamlit started on the app with the app's options, the user's after them
(so theirs win), and the first page's modules imported on a thread meanwhile."""

import sys
import time

from estate import app_server


def test_the_server_runs_the_app_with_its_options_and_the_users_after(monkeypatch):
    from streamlit.web import cli

    seen: list[list[str]] = []
    started: list[str] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(app_server, "preload", lambda: started.append("preload"))
    app_server.main(["--server.port", "8999"])
    assert seen == [["streamlit", "run", str(app_server.APP), "--runner.postScriptGC", "false",
                     "--server.port", "8999"]]
    assert app_server.APP.name == "app_streamlit.py" and app_server.APP.is_file()
    for _ in range(100):        # the preload's thread
        if started:
            break
        time.sleep(0.01)
    assert started == ["preload"]
