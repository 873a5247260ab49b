"""The static public site (``python -m tracker publish``): complete, public-only, offline and deterministic.

The browser half (every page opened from ``file://`` and over HTTP with other requests blocked, charts drawn,
axe-core) is ``tests/e2e/test_site_browser.py``; here the files themselves are checked.
"""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from loaders.dataset import load_dataset
from tests.builders import action, dataset_of
from tracker.cli import main
from tracker.documents.site import publish_site

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def sample_dataset(catalog, today):
    return load_dataset(SAMPLE, catalog, today=today)


@pytest.fixture(scope="module")
def site(tmp_path_factory, sample_dataset) -> Path:
    """The site of the bundled sample, published once through the command line (with its data package)."""
    out = tmp_path_factory.mktemp("site")
    assert main(["--data-dir", str(SAMPLE), "publish", "--out", str(out)]) == 0
    return out


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


class Links(HTMLParser):
    """Every href and src of a page, and its visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.targets += [value for name, value in attrs if name in ("href", "src") and value]


def test_the_site_has_every_page_and_one_copy_of_plotly(site, catalog):
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
    areas = [c.id for c in catalog.commitments.values() if c.parent is None]
    expected = ["crosswalk.html", "gaps.html", "index.html"]
    expected += [f"area/{a}.html" for a in areas] + [f"member/{m}.html" for m in catalog.members]
    assert pages == sorted(expected)
    assert [str(p.relative_to(site)) for p in site.rglob("*.js")] == ["assets/plotly.min.js"]
    assert (site / "data" / "datapackage.json").is_file()


def test_every_link_and_script_is_local_and_leads_to_a_file_of_the_site(site):
    for page in site.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.targets, page
        for target in parser.targets:
            if target.startswith("#"):
                continue
            assert not re.match(r"^[a-z]+:|^//", target), f"{page.name}: {target} leaves the site"
            assert (page.parent / target).resolve().is_file(), f"{page.relative_to(site)}: {target} is missing"


def test_no_confidential_action_is_in_any_file(site, sample_dataset):
    secret = sample_dataset.actions[sample_dataset.actions["confidential"]]
    assert len(secret) > 0
    everything = "\n".join(data.decode("utf-8", "replace") for data in tree(site).values())
    # The sample's phrase bank gives some public actions the same title as a confidential one: only the titles
    # no public action has can be looked for.
    public_titles = "\n".join(sample_dataset.actions.loc[~sample_dataset.actions["confidential"], "title"])
    own_titles = [t for t in secret["title"] if t not in public_titles]
    assert own_titles
    for action_id in secret["action_id"]:
        assert not re.search(rf"\b{re.escape(action_id)}\b", everything), action_id
    for title in own_titles:
        assert title not in everything and html.escape(title) not in everything, title
    public = sample_dataset.actions[~sample_dataset.actions["confidential"]].iloc[0]
    assert public["action_id"] in everything  # the check can see an action when one is there


def test_every_page_says_the_data_is_illustrative_and_its_date(site):
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Illustrative sample data" in text, page
        assert "Data as of 31 October 2026" in text and "published 28 November 2026" in text, page


def test_the_same_data_gives_the_same_bytes(site, tmp_path):
    again = tmp_path / "again"
    again.mkdir()
    assert main(["--data-dir", str(SAMPLE), "publish", "--out", str(again)]) == 0
    assert tree(again) == tree(site)


def test_members_text_is_escaped_and_real_data_is_not_labelled_illustrative(catalog, tmp_path):
    rows = [action("IDN", 1, "ASC-1", "limited", title='<img src=x onerror="alert(1)"> & <b>bold</b>')]
    dataset = dataset_of(catalog, rows)
    assert not dataset.illustrative
    publish_site(dataset, tmp_path, today=dataset.actions["last_updated"].max().date())
    page = (tmp_path / "member" / "IDN.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<img" not in page and "<b>bold" not in page
    assert "Illustrative" not in page


def test_publish_needs_an_existing_folder_and_english_only_for_now(tmp_path, capsys):
    assert main(["--data-dir", str(SAMPLE), "publish", "--out", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["--data-dir", str(SAMPLE), "publish", "--out", str(tmp_path), "--lang", "xx"])
    assert stopped.value.code == 2


def test_publishing_again_replaces_the_sites_files_and_leaves_others(site, tmp_path):
    copy = shutil.copytree(site, tmp_path / "copy")
    (copy / "index.html").write_text("stale", encoding="utf-8")
    (copy / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["--data-dir", str(SAMPLE), "publish", "--out", str(copy)]) == 0
    assert (copy / "index.html").read_bytes() == (site / "index.html").read_bytes()
    assert (copy / "notes.txt").read_text(encoding="utf-8") == "mine"
