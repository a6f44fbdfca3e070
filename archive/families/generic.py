"""Pages of no known CMS family: the densest text block of the pruned page, else trafilatura;
content_N.html documents, <h1> headlines, 下一页 anchors and links written inside scripts.

The page is pruned first (navigation, toolbars, footers, forms). Each run of text adds its
length to its block, the block's parent and half to the grandparent (readability's scoring);
the best-scoring element is the body. When no block holds a report-sized text, trafilatura
extracts from the pruned page. Listed last in `FAMILIES`: it always has an answer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from archive.extract.lines import block_lines, clean_lines, restore_dropped_lines
from archive.families.base import Container, DetailPage, Family, ListedDocument, ListPage, ListReading, ListRequest

_PRUNE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "form", "iframe",
               "select", "button", "input", "textarea", "object", "embed", "svg", "head")
_PRUNE_CLASS_ID = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|footer|foot|header|top|topbar|share|print|bread|crumbs?|"
    r"position|location|weizhi|qrcode|qr|ewm|erweima|toolbar|tools?|search|login|related|xgwz|"
    r"xglj|pager|pagination|prevnext|page-?nav|sidebar|copyright|banner|fontsize|zihao)(?:$|[\s_-])",
    re.IGNORECASE,
)
_BLOCKS = frozenset({"div", "td", "th", "article", "section", "main", "p", "li", "dd", "body",
                     "center", "blockquote"})
_MIN_RUN = 10          # shorter text runs (menu items, labels) do not score
_MIN_BODY = 200        # a block with less text is no report body
NAME = "generic"
_NEXT_TEXT = re.compile(r"^\s*(?:下一页|下页|下一頁)\s*[>»›]*\s*$")
# Links inside scripts: Hanweb lists ship their rows as CDATA in <script type="text/xml">,
# other CMSs document.write() them; anchors in those are not elements of the parsed page.
_SCRIPT_HREF = re.compile(r"""href\s*=\s*\\?["']([^"'<>\\\s]+)\\?["']""", re.IGNORECASE)
# a URL kept in a variable: var url = "./202602/t20260210_1.shtml"; document.writeln(… url …)
_SCRIPT_STRING = re.compile(r"""=\s*["']([^"'<>\s]{6,300})["']""")


def prune_page(root: lxml_html.HtmlElement) -> None:
    """Remove navigation, toolbars and footers from a whole page, in place."""
    for element in list(root.iter(*_PRUNE_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if marker.strip() and _PRUNE_CLASS_ID.search(marker):
            element.drop_tree()


def _in_link(element: lxml_html.HtmlElement) -> bool:
    return any(a.tag == "a" for a in element.iterancestors()) or element.tag == "a"


def densest_block(root: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The element whose own text runs (not links) score highest, or None if too little."""
    scores: dict = defaultdict(float)
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        runs = [node.text] if node.text else []
        runs += [child.tail for child in node if child.tail]
        length = sum(len("".join(run.split())) for run in runs if len("".join(run.split())) >= _MIN_RUN)
        if not length or _in_link(node):
            continue
        block = node if node.tag in _BLOCKS else next(
            (a for a in node.iterancestors() if a.tag in _BLOCKS), None)
        if block is None:
            continue
        scores[block] += length
        parent = block.getparent()
        if parent is not None:
            scores[parent] += length
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] += length / 2
    if not scores:
        return None
    best = max(scores, key=lambda el: (scores[el], len(list(el.iterancestors()))))
    total = len("".join(best.text_content().split()))
    return best if total >= _MIN_BODY else None


def trafilatura_lines(html_text: str) -> list[str]:
    import trafilatura  # a third of a second to import, and only the last fallback needs it

    text = trafilatura.extract(html_text, output_format="txt", include_tables=True,
                               include_comments=False, favor_recall=True, deduplicate=False)
    return clean_lines(text or "")


def pruned_copy(root: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    page = lxml_html.fromstring(etree.tostring(root, encoding="unicode", method="html"))
    prune_page(page)
    return page


def find_container(page: DetailPage) -> Container:
    """The densest block of the pruned page, else trafilatura on it; a copy of the headline
    printed above the body is dropped."""
    pruned = pruned_copy(page.root)
    block = densest_block(pruned)
    if block is not None:
        lines, method = block_lines(block), f"{NAME}:density"
    else:
        html_text = etree.tostring(pruned, encoding="unicode", method="html")
        body = pruned.find("body")
        source = block_lines(body) if body is not None else []
        lines, method = restore_dropped_lines(trafilatura_lines(html_text), source), NAME
    squashed_title = (page.title or "").replace(" ", "")
    while lines and squashed_title and lines[0].replace(" ", "") == squashed_title:
        lines = lines[1:]
    return Container(lines, method)


def read_list(page: ListPage) -> ListReading | None:
    """Links written inside scripts (XML list rows, `document.write`, a URL in a JS variable)
    and anchors reading 下一页 / 下页; the core keeps the script strings of a detail shape."""
    if page.root is None:
        return None
    documents = tuple(ListedDocument(url) for url in _script_strings(page))
    following = tuple(ListRequest(urljoin(page.base, href)) for href in _next_anchors(page))
    return ListReading(documents=documents, next_requests=following) if documents or following else None


def _script_strings(page: ListPage) -> list[str]:
    found = []
    for script in page.root.iter("script"):
        text = script.text or ""
        found += _SCRIPT_HREF.findall(text)
        found += [value for value in _SCRIPT_STRING.findall(text) if "/" in value]
    return [urljoin(page.base, value) for value in found if "\\" not in value]


def _next_anchors(page: ListPage) -> list[str]:
    hrefs = []
    for anchor in page.root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "mailto:", "#")) and \
                _NEXT_TEXT.match(anchor.text_content() or ""):
            hrefs.append(href)
    return hrefs


FAMILY = Family(
    name=NAME,
    detail_urls=(r"content_\d+\.s?html?$",                           # content_123.html
                 r"/c\d+/content\.s?html?$",                          # /c100123/content.shtml
                 r"/columns/[0-9a-f-]{32,36}/\d{6}/\d{2}/[0-9a-f-]{32,36}\.html$"),
    title_xpaths=("//h1",),
    find_container=find_container,
    read_list=read_list,
)
