"""A synthetic TRS portal of N reports, crawled twice: what does the second crawl cost?"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
import tempfile
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govarchive.cli import main  # noqa: E402
from crawler.process import LOOPBACK_SETTINGS  # noqa: E402
from govarchive.sample_server import serve_directory  # noqa: E402
from tests.fixtures.portal_templates import trs_chongqing  # noqa: E402

PER_LIST_PAGE = 20


def golden_texts() -> list[list[str]]:
    """The golden pages' report texts, as lists of paragraphs."""
    pages = sorted((ROOT / "tests" / "archive" / "families").glob("*/*/expected.json"))
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"].split("\n") for p in pages]
    return [t for t in texts if len(t) > 5]


def build_portal(root: Path, reports: int, body_of: Callable[[int], list[str]] | None = None) -> None:
    """A TRS column of `reports` pages at root/column/; `body_of(n)` gives report n's paragraphs
    (default: the golden texts in turn, so most reports are near-duplicates of a few)."""
    texts = golden_texts()
    column = root / "column"
    column.mkdir(parents=True)
    links = []
    for n in range(reports):
        body = [f"（第{n + 1}号）"] + (body_of(n) if body_of else texts[n % len(texts)])
        date = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
        name = f"{date[:4]}{date[5:7]}/t{date.replace('-', '')}_{100000 + n}.html"
        case = {"charset": "utf-8", "title": f"第{n + 1}号 法治政府建设情况报告", "site": "样例区人民政府",
                "publisher_site": "样例镇", "body": body,
                "metadata": {"index_no": f"11500101MB0000000X/2025-{n:05d}", "doc_no": None, "topic": "其他",
                             "genre": "公文", "publisher": "样例镇", "validity": None,
                             "written_date": date, "published_date": date, "source": None}}
        (column / name).parent.mkdir(exist_ok=True)
        (column / name).write_text(trs_chongqing(case), encoding="utf-8")
        links.append(f'<li><a href="./{name}">{case["title"]}</a><span>{date}</span></li>')
    count = (reports + PER_LIST_PAGE - 1) // PER_LIST_PAGE
    for page in range(count):
        items = "\n".join(links[page * PER_LIST_PAGE:(page + 1) * PER_LIST_PAGE])
        html = (f'<html><head><meta charset="utf-8"><title>法治政府建设年度报告</title></head><body>'
                f'<ul>{items}</ul><script>createPageHTML({count}, {page}, "index", "html");</script></body></html>')
        (column / ("index.html" if page == 0 else f"index_{page}.html")).write_text(html, encoding="utf-8")


def recrawl(reports: int = 500) -> tuple[dict, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        build_portal(root, reports)
        with serve_directory(root) as base_url:
            config = Path(tmp) / "portals.toml"
            config.write_text(f'[[portal]]\nname = "bench"\nstart_urls = ["{base_url}/column/"]\n'
                              f'max_list_pages = 100\n', encoding="utf-8")
            settings = [arg for key, value in LOOPBACK_SETTINGS.items() for arg in ("-s", f"{key}={value}")]
            runs = []
            for _ in range(2):
                result = CliRunner().invoke(main, ["crawl", "--config", str(config), "--db",
                                                   str(Path(tmp) / "bench.db"), "--json", *settings])
                if result.exit_code != 0:
                    raise SystemExit(f"bench crawl failed: {result.output}")
                runs.append(json.loads(result.stdout)[0])
    return runs[0], runs[1]


if __name__ == "__main__":
    first, second = recrawl()
    print(first, second, sep="\n")
