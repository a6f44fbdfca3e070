"""Helpers shared by the family rules: a one-pass index of classes, ids and tags."""

from __future__ import annotations

from collections import defaultdict

from lxml import html as lxml_html

MIN_BODY_CHARS = 2  # an empty placeholder is skipped; "详见附件。" is a body


class PageIndex:
    """Elements of a page by class token, id and tag, built in one walk (document order).

    Looking containers up here instead of one `contains(concat(...))` XPath per rule keeps
    container detection to a single pass over the tree.
    """

    def __init__(self, root: lxml_html.HtmlElement) -> None:
        self.root = root
        self.by_class: dict[str, list] = defaultdict(list)
        self.by_id: dict[str, list] = defaultdict(list)
        self.by_tag: dict[str, list] = defaultdict(list)
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            self.by_tag[element.tag].append(element)
            for token in (element.get("class") or "").split():
                self.by_class[token].append(element)
            if element.get("id"):
                self.by_id[element.get("id")].append(element)

    def lookup(self, rule: str) -> list:
        """`.class`, `#id` or a tag name."""
        if rule.startswith("."):
            return self.by_class.get(rule[1:], [])
        if rule.startswith("#"):
            return self.by_id.get(rule[1:], [])
        return self.by_tag.get(rule, [])


def text_chars(element: lxml_html.HtmlElement) -> int:
    return len("".join(element.text_content().split()))


def first_with_text(index: PageIndex, rules: tuple[str, ...]) -> lxml_html.HtmlElement | None:
    """The outermost match of the first rule whose element holds real text."""
    for rule in rules:
        for element in index.lookup(rule):
            if text_chars(element) >= MIN_BODY_CHARS:
                return element
    return None
