"""``ui.auth.login_configured`` keeps a "no secrets file" answer (Streamlit would look for the file again on every
question, under a lock: issue 12's load profile) only until a configured secrets file appears or changes."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit import config
from streamlit.runtime.secrets import Secrets

from ui import auth

CONTAINS = Secrets.__contains__


@pytest.fixture
def secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "secrets.toml"
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(path)])
    monkeypatch.setattr(auth, "_secret_paths", lambda: (str(path),))
    monkeypatch.setattr(st, "secrets", Secrets())
    auth._NO_SECRETS_FILE.clear()
    yield path
    auth._NO_SECRETS_FILE.clear()
    config.set_option("secrets.files", saved)


def test_no_file_is_remembered_until_one_appears(secrets_file: Path, monkeypatch: pytest.MonkeyPatch):
    assert auth.login_configured() is False
    asked = []
    monkeypatch.setattr(Secrets, "__contains__", lambda self, key: asked.append(key) or False)
    assert auth.login_configured() is False
    assert asked == []  # answered from memory: nothing was searched for

    monkeypatch.setattr(Secrets, "__contains__", CONTAINS)  # the real lookup again
    secrets_file.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n', encoding="utf-8")
    assert auth.login_configured() is True
