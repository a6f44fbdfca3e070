"""Challenge pages and soft 404s are named; ordinary pages, real ones included, are not."""

from __future__ import annotations

import pytest

from archive.extract.challenge import page_verdict
from tests.support import GOLDEN_INPUTS, PAGES, SHARED, SITES


@pytest.mark.parametrize("status, headers, body, reason", [
    (412, {}, b"<html><script>$_ts=window['$_ts']||{};</script></html>", "瑞数 challenge (HTTP 412)"),
    (202, {}, b"<html><head><meta content='abc' r='m'></head><script>$_ts={}</script></html>",
     "瑞数 challenge (HTTP 202)"),
    (200, {"set-cookie": "FSSBBIl1UgzbN7NS=60c8a1; path=/"},
     b"<html><head><meta content='x' r='m'></head><body><script>$_ts.nsd=123</script></body></html>",
     "瑞数 challenge (HTTP 200)"),
    (521, {}, b"<script>document.cookie=('__jsl_clearance=1616');location.href=location.pathname</script>",
     "加速乐 challenge (HTTP 521)"),
    (200, {}, b"<html><body><script>document.cookie='wzws=1';location.reload();</script></body></html>",
     "script-only challenge page (HTTP 200)"),
])
def test_challenges_are_named(status: int, headers: dict, body: bytes, reason: str) -> None:
    verdict = page_verdict(status, headers, body)
    assert verdict is not None and (verdict.kind, verdict.reason) == ("blocked", reason)


@pytest.mark.parametrize("text", ["您访问的页面不存在", "404 Not Found", "页面不存在！3秒后返回首页"])
def test_soft_404s_are_named(text: str) -> None:
    body = f"<html><head><title>提示</title></head><body><div class='err'>{text}</div></body></html>".encode()
    verdict = page_verdict(200, {}, body)
    assert verdict is not None and verdict.kind == "missing" and verdict.reason.startswith("soft 404 (HTTP 200")


def test_ordinary_pages_are_no_challenge() -> None:
    pages = [*GOLDEN_INPUTS, *PAGES.glob("*/lists/*.html"), *(p for p in SITES.rglob("*.html"))]
    real = SHARED / "corpus" / "real"
    pages += sorted(real.glob("*.html")) if real.is_dir() else []
    flagged = [str(path) for path in pages if page_verdict(200, {}, path.read_bytes()) is not None
               and "content_4000" not in path.name]
    assert flagged == []
    # a short pointer page that mentions 404 in a file name is no soft 404
    assert page_verdict(200, {}, "<p>详见附件：第404号文件.pdf，请下载查看全文内容。</p>".encode()) is None
