"""Pages that are not what was asked for: anti-bot challenges (瑞数, 加速乐, script-only cookie
pages) and soft 404s. We recognise and report them; we never try to get past them."""

from __future__ import annotations

import dataclasses
import re

_RUISHU_META = re.compile(rb"""<meta[^>]+\br\s*=\s*["']m["']""", re.I)
_RUISHU_COOKIE = re.compile(r"^[A-Za-z0-9]{8,}S=", re.M)
_JSL = re.compile(rb"document\.cookie\s*=.{0,400}?location\.href|__jsl_clearance", re.S)
_COOKIE_RELOAD = re.compile(rb"document\.cookie\s*=.{0,2000}?(?:location\.(?:reload|href|replace)|window\.location)",
                            re.S)
_SCRIPT = re.compile(rb"<script\b.*?</script\s*>", re.S | re.I)
_TAG = re.compile(rb"<[^>]+>")
_SOFT_404 = re.compile(r"页面不存在|页面未找到|找不到页面|页面已删除|信息不存在|not\s*found|"
                       r"(?<![\d第])404(?![\d号.])", re.I)
_MAX_SOFT_404_CHARS = 80


@dataclasses.dataclass(frozen=True)
class Verdict:
    """Why a response is no page of the column: `blocked` (a challenge) or `missing` (a soft 404)."""

    kind: str
    reason: str


def _visible_text(body: bytes) -> str:
    without = _TAG.sub(b" ", _SCRIPT.sub(b" ", re.sub(rb"<style\b.*?</style\s*>", b" ", body, flags=re.S | re.I)))
    for encoding in ("utf-8", "gb18030"):
        try:
            return "".join(without.decode(encoding).split())
        except UnicodeDecodeError:
            continue
    return "".join(without.decode("latin-1").split())


def page_verdict(status: int, headers: dict[str, str], body: bytes) -> Verdict | None:
    """A challenge or soft-404 verdict for a response, or None when it is an ordinary page.

    `headers` maps lower-case names to values (several Set-Cookie values joined by newlines).
    """
    cookies = headers.get("set-cookie", "")
    head = body[:200_000]
    if status == 412 or (status in (200, 202) and (b"$_ts" in head or _RUISHU_META.search(head))
                         and (status == 202 or _RUISHU_COOKIE.search(cookies) or len(_visible_text(head)) < 200)):
        return Verdict("blocked", f"瑞数 challenge (HTTP {status})")
    visible = _visible_text(head)
    if status == 521 or (_JSL.search(head) and len(visible) < 200):
        return Verdict("blocked", f"加速乐 challenge (HTTP {status})")
    if status < 300 and not visible and len(_SCRIPT.findall(head)) == 1 and _COOKIE_RELOAD.search(head):
        return Verdict("blocked", f"script-only challenge page (HTTP {status})")
    if status == 200 and len(visible) <= _MAX_SOFT_404_CHARS and (found := _SOFT_404.search(visible)):
        return Verdict("missing", f"soft 404 (HTTP 200 reading {found.group(0)!r})")
    return None
