"""Extraction benchmark: govarchive vs trafilatura defaults vs readability-lxml.

On the golden fixture pages (tests/archive/families) it scores body bigram-F1 against the
expected text and counts boilerplate strings left; on ../shared/corpus/real (when present) it
checks the manifest's first and last body sentence and counts its boilerplate strings left.
Prints one table per corpus with ms/page.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura
from lxml import html as lxml_html
from readability import Document

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.extract.decode import decode_html  # noqa: E402
from archive.extract.page import extract_page  # noqa: E402

PAGES = ROOT / "tests" / "archive" / "families"
REAL = ROOT.parent / "shared" / "corpus" / "real"
FIXTURE_BOILERPLATE = ("扫一扫", "语音播报", "当前位置", "ICP备", "公网安备", "网站标识码", "索引号",
                       "索 引 号", "字号", "返回上一级", "上一篇", "分享到", "打印", "浏览")
REPEAT = 5


def ours(body: bytes, url: str) -> str:
    return extract_page(body, url).text


def trafilatura_default(body: bytes, url: str) -> str:
    text, _ = decode_html(body)
    return trafilatura.extract(text, url=url) or ""


def readability_lxml(body: bytes, url: str) -> str:
    text, _ = decode_html(body)
    summary = Document(text).summary(html_partial=True)
    return lxml_html.fromstring(summary).text_content()


EXTRACTORS: dict[str, Callable[[bytes, str], str]] = {
    "govarchive": ours, "trafilatura-default": trafilatura_default, "readability-lxml": readability_lxml,
}


def bigrams(text: str) -> Counter:
    chars = "".join(text.split())
    return Counter(chars[i:i + 2] for i in range(len(chars) - 1))


def bigram_f1(got: str, want: str) -> float:
    g, w = bigrams(got), bigrams(want)
    overlap = sum((g & w).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(g.values()), overlap / sum(w.values())
    return 2 * precision * recall / (precision + recall)


def timed(extract: Callable[[bytes, str], str], body: bytes, url: str) -> tuple[str, float]:
    extract(body, url)  # warm
    runs = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        text = extract(body, url)
        runs.append((time.perf_counter() - start) * 1000)
    return text, statistics.median(runs)


def fixture_table() -> None:
    cases = sorted(PAGES.glob("*/*/expected.json"))
    print(f"\nGolden fixture pages ({len(cases)}): bigram-F1 vs expected text, boilerplate left, ms/page")
    print(f"{'extractor':22} {'min F1':>7} {'mean F1':>8} {'boilerplate':>12} {'ms/page':>8}")
    for name, extract in EXTRACTORS.items():
        scores, left, times = [], 0, []
        for path in cases:
            expected = json.loads(path.read_text(encoding="utf-8"))
            body = (path.parent / "input.html").read_bytes()
            text, ms = timed(extract, body, expected["url"].replace("{base}", "http://127.0.0.1"))
            scores.append(bigram_f1(text, expected["text"]))
            left += sum(text.count(marker) for marker in FIXTURE_BOILERPLATE)
            times.append(ms)
        print(f"{name:22} {min(scores):7.3f} {statistics.mean(scores):8.3f} {left:12d} "
              f"{statistics.mean(times):8.1f}")


def real_table() -> None:
    if not REAL.is_dir():
        print("\n../shared/corpus/real not present: real-page table skipped")
        return
    manifest = [e for e in json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
                if e["kind"] == "detail"]
    print(f"\nReal portal pages ({len(manifest)}): first/last sentence found, boilerplate lines left "
          "(a manifest string standing as a line of its own), ms/page")
    print(f"{'extractor':22} {'first':>6} {'last':>6} {'boilerplate':>12} {'ms/page':>8}")
    squash = lambda s: "".join(s.split())  # noqa: E731
    for name, extract in EXTRACTORS.items():
        first = last = left = 0
        times = []
        for entry in manifest:
            body = (REAL / entry["file"]).read_bytes()
            text, ms = timed(extract, body, "http://www.example.gov.cn/page.html")
            flat = squash(text)
            first += squash(entry["body_first"])[:15] in flat
            last += squash(entry["body_last"])[-15:] in flat
            lines = {line.strip() for line in text.splitlines()}
            left += sum(1 for b in entry["boilerplate"] if b.strip() in lines)
            times.append(ms)
        print(f"{name:22} {first:3d}/{len(manifest)} {last:3d}/{len(manifest)} {left:12d} "
              f"{statistics.mean(times):8.1f}")


def metadata_table() -> None:
    """Titles and metadata fields of our extractor against the fixtures and the real pages."""
    cases = sorted(PAGES.glob("*/*/expected.json"))
    fields = right = titles = 0
    for path in cases:
        expected = json.loads(path.read_text(encoding="utf-8"))
        record = extract_page((path.parent / "input.html").read_bytes(),
                              expected["url"].replace("{base}", "http://127.0.0.1"))
        titles += record.title == expected["title"]
        for field, value in expected["metadata"].items():
            fields += 1
            right += record.metadata.as_dict()[field] == value
    print(f"\ngovarchive on fixtures: titles right {titles}/{len(cases)}, "
          f"metadata fields right {right}/{fields} (null fields included)")
    if not REAL.is_dir():
        return
    manifest = [e for e in json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
                if e["kind"] == "detail"]
    fields = right = titles = 0
    for entry in manifest:
        record = extract_page((REAL / entry["file"]).read_bytes(), "http://www.example.gov.cn/page.html")
        titles += record.title == entry["title"]
        for label, value in entry["metadata"].items():
            fields += 1
            right += record.raw_metadata.get(label) == (value or None)
    print(f"govarchive on real pages: titles right {titles}/{len(manifest)}, "
          f"metadata fields right {right}/{fields} (labels as printed, empty = null)")


if __name__ == "__main__":
    fixture_table()
    real_table()
    metadata_table()
