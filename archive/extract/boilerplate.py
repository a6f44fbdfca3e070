"""Portal boilerplate that extractors keep: line rules for the head and tail of a body."""

from __future__ import annotations

import re

# A line is boilerplate when it is short and opens like one of these. Only runs of such
# lines at the head or tail of a body are dropped, so a report sentence that mentions
# 打印 or 来源 in its middle survives.
_BOILERPLATE_LINE = re.compile(
    r"^(?:[【\[（(]\s*)?(?:"
    r"语音播报|打印(?:本页|此页)?|关闭(?:本页|窗口)?|返回顶部|返回上一级|返回|收藏|"
    r"字号|【?\s*大\s*中\s*小|分享到|分享|扫一扫|用手机扫|"
    r"上一篇|下一篇|责任编辑|编辑[:：]|审核[:：]|校对[:：]|"
    r"您当前(?:的)?位置|您现在的位置|当前位置|您的位置|"
    r"主办单位|主办[:：]|承办单位|承办[:：]|协办|网站标识码|版权所有|技术支持|联系我们|网站地图|"
    r".{0,12}ICP备|.{0,12}公网安备|"
    r"浏览次数|浏览[:：]|访问量|阅读次数|点击数|"
    r"发布时间[:：]|发布日期[:：]|日期[:：]|时间[:：]|来源[:：]|信息来源[:：]|"
    r"相关链接|相关文件|相关新闻|附件下载[:：]?$|【\s*(?:打印|关闭)|"
    # a disclosure block printed inside the body container: its label lines
    r"[\[【(（]?\s*(?:索\s*引\s*号|发文字号|文\s*号|主题分类|体裁分类|发布机构|发文机关|有\s*效\s*性|"
    r"成文日期|发文日期|公开方式|公开时限|公开范围|公开主体|责任部门|生成日期)\s*[\]】)）:：]"
    r")",
)
_MAX_BOILERPLATE_LINE = 80
_CONVERSION_MARKER = re.compile(r"\[bookmark:\s*_?\w+\]|\[\s*_GoBack\s*\]")

def is_boilerplate_line(line: str) -> bool:
    """True when `line` is a short portal line (toolbar, info line, footer, QR prompt…)."""
    line = line.strip()
    return len(line) <= _MAX_BOILERPLATE_LINE and bool(_BOILERPLATE_LINE.match(line))


def strip_conversion_markers(text: str) -> str:
    """Remove Word-conversion artefacts such as `[bookmark: _GoBack]`."""
    return _CONVERSION_MARKER.sub("", text)


def trim_boilerplate(lines: list[str]) -> list[str]:
    """Drop runs of boilerplate lines at the head and the tail of a body."""
    start, end = 0, len(lines)
    while start < end and is_boilerplate_line(lines[start]):
        start += 1
    while end > start and is_boilerplate_line(lines[end - 1]):
        end -= 1
    return lines[start:end]
