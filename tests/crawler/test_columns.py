"""Real list mechanics, end to end in this process: each column is walked to its end
(documents archived = documents the column holds), a challenge makes the walk incomplete and
withdraws nothing, and a nightly run stops after the first list page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_twisted

from archive.store.archive import Archive
from tests.mockserver import mock_server
from tests.support import SITES, crawl_in_process

REPORT = (SITES / "cq-wanzhou/zfxxgkml/fzzfjsndbg/202501/t20250116_1001.html").read_text(encoding="utf-8")
PARAGRAPHS = ["坚持依法全面履行政府职能，推进简政放权。", "健全依法决策机制，落实重大行政决策程序。",
              "严格规范公正文明执法，落实行政执法三项制度。", "强化行政权力制约和监督，推进政务公开。",
              "依法有效化解社会矛盾纠纷，做好行政复议应诉。", "提升法治思维和依法行政能力，开展学法用法。"]


def report_page(number: int) -> str:
    """A distinct report: the paragraphs rotated and numbered."""
    body = "".join(f"<p>{number}-{i}. {PARAGRAPHS[(number + i) % len(PARAGRAPHS)] * 3}</p>" for i in range(6))
    return (f"<html><head><meta charset='utf-8'><title>第{number}号 2024年度法治政府建设情况报告</title></head>"
            f"<body><div class='TRS_Editor'><p>第{number}号报告</p>{body}</div></body></html>")


def toml_value(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


class Column:
    def __init__(self, root: Path, base_url: str, requested: list[str], tmp_path: Path) -> None:
        self.root, self.base_url, self.requested, self.tmp_path = root, base_url, requested, tmp_path
        self.db = tmp_path / "a.db"

    def write(self, path: str, text: str) -> None:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def reports(self, paths: list[str]) -> None:
        for number, path in enumerate(paths, start=1):
            self.write(path, report_page(number))

    def registry(self, start: str, **keys: object) -> Path:
        extra = "".join(f"{key} = {toml_value(value)}\n" for key, value in keys.items())
        config = self.tmp_path / "portals.toml"
        config.write_text(f'[[portal]]\nname = "col"\nstart_urls = ["{self.base_url}{start}"]\n{extra}',
                          encoding="utf-8")
        return config

    async def crawl(self, config: Path, **settings: object):
        return await crawl_in_process(config, self.db, "col", **settings)

    def run_walk(self) -> str:
        archive = Archive.open_readonly(self.db)
        try:
            return archive.db.execute("SELECT walk FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()[0]
        finally:
            archive.close()


@pytest.fixture
def column(tmp_path: Path) -> Iterator[Column]:
    root = tmp_path / "site"
    root.mkdir()
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    requested: list[str] = []
    with mock_server(root, requested) as base_url:
        yield Column(root, base_url, requested, tmp_path)


def rows(paths: list[str]) -> list[str]:
    return [f'<li><a href="{path}" title="报告{n}">报告{n}</a><span>2025-01-{n:02d}</span></li>'
            for n, path in enumerate(paths, start=1)]


@pytest_twisted.ensureDeferred
async def test_hanweb_datastore_then_post_dataproxy_windows(column: Column) -> None:
    paths = [f"/art/2025/1/{n}/art_1402_{n}.html" for n in range(1, 8)]
    column.reports(paths)
    lines = rows(paths)
    column.write("/module/web/jpage/dataproxy.rows", "\n".join(lines))
    records = "".join(f"<record><![CDATA[{line}]]></record>" for line in lines[:3])
    column.write("/col/col1402/index.html", f"""<html><body><div id="4512"><script type="text/xml"><datastore>
        <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=10&path=/&columnid=1402&unitid=4512&webname=x&permissiontype=0"></a>]]></nextgroup>
        <recordset>{records}</recordset></datastore></script></div>
        <script>$('#4512').jpage({{perPage: 1, totalRecord: 7, groupSize: 3, proxyUrl: '/module/web/jpage/dataproxy.jsp'}});</script>
        </body></html>""")
    config = column.registry("/col/col1402/index.html")
    result = await column.crawl(config)
    assert result.ok and result.counts.documents_new == 7 and result.counts.list_pages == 3
    posts = [line for line in column.requested if line.startswith("POST")]
    assert [p.split()[1] for p in posts] == ["/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=1",
                                             "/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=7&perpage=1"]
    assert all("columnid=1402" in p and "col=1" in p and "referer=" + column.base_url + "/col/col1402/index.html" in p
               for p in posts)
    assert column.run_walk() == "complete"
    await assert_nightly_reads_one_list_page(column, config)


async def assert_nightly_reads_one_list_page(column: Column, config: Path) -> None:
    nightly = await column.crawl(config)
    assert (nightly.counts.list_pages, nightly.counts.detail_pages, nightly.counts.documents_new) == (1, 0, 0)
    assert column.run_walk().startswith("incremental: stopped at")


@pytest_twisted.ensureDeferred
async def test_jpaas_json_pages(column: Column) -> None:
    paths = [f"/art/2025/art_{n:032x}.html" for n in range(1, 6)]
    column.reports(paths)
    lines = rows(paths)
    column.write("/col/col2316/index.html", f"""<html><body><ul>{lines[0]}{lines[1]}</ul>
        <div id="page_2316" count="5" rows="2" pageNo="1"
             queryData="{{'webId':'3177','pageId':'2316','tagId':'list','tplSetId':'abc'}}"></div></body></html>""")
    unit = "/api-gateway/jpaas-publish-server/front/page/build/unit"
    column.write(f"{unit}/page_2.json", json.dumps({"data": {"html": "<ul>" + "".join(lines[2:4]) + "</ul>"}}))
    column.write(f"{unit}/page_3.json", json.dumps({"data": {"html": "<ul>" + lines[4] + "</ul>"}}))
    config = column.registry("/col/col2316/index.html")
    result = await column.crawl(config)
    assert result.ok and (result.counts.documents_new, result.counts.list_pages) == (5, 3)
    assert column.run_walk() == "complete"
    await assert_nightly_reads_one_list_page(column, config)


@pytest.mark.parametrize("pager, first, following", [
    # Chongqing 集约化: createPage, 0-based
    ('createPage({count}, {index}, "index", "html")', "/col/index.html", "/col/index_{n}.html"),
    # TRS, the 6-argument form: 1-based, fg.shtml, fg_2.shtml …
    ("createPageHTML('page_div', {count}, {number}, 'fg', 'shtml', 6)", "/col/fg.shtml", "/col/fg_{number}.shtml"),
    # Shanghai 集约化: pagination({totalPage}), 1-based, index_2.html …
    ('$(".pagination").pagination({{ totalPage: {count}, currentPage: {number} }})', "/col/index.html",
     "/col/index_{number}.html"),
    # TRS, the countPage template writing .shtml page links
    ('var currentPage = {index}; var countPage = {count}; var nextPage = currentPage + 1;'
     ' document.write("<a href=\\"index"+"_" + nextPage + "."+"shtml\\">下一页</a>");',
     "/col/index.shtml", "/col/index_{n}.shtml"),
])
@pytest_twisted.ensureDeferred
async def test_static_pagers_are_walked_to_the_end(column: Column, pager: str, first: str, following: str) -> None:
    pages, per_page = 3, 2
    paths = [f"/col/202501/t202501{n:02d}_{n}.html" for n in range(1, pages * per_page + 1)]
    column.reports(paths)
    for index in range(pages):
        url = first if index == 0 else following.format(n=index, number=index + 1)
        script = pager.format(count=pages, index=index, number=index + 1)
        items = "".join(rows(paths)[index * per_page:(index + 1) * per_page])
        column.write(url, f"<html><body><ul>{items}</ul><script>{script}</script></body></html>")
    config = column.registry(first)
    result = await column.crawl(config)
    assert result.ok and (result.counts.documents_new, result.counts.list_pages) == (6, 3)
    assert column.run_walk() == "complete"
    await assert_nightly_reads_one_list_page(column, config)


def trs_column(column: Column, pages: int = 3, per_page: int = 2) -> list[str]:
    paths = [f"/col/202501/t202501{n:02d}_{n}.html" for n in range(1, pages * per_page + 1)]
    column.reports(paths)
    for index in range(pages):
        items = "".join(rows(paths)[index * per_page:(index + 1) * per_page])
        column.write(f"/col/index{'_' + str(index) if index else ''}.html",
                     f'<html><body><ul>{items}</ul><script>createPageHTML({pages}, {index}, "index", "html");'
                     "</script></body></html>")
    return paths


@pytest_twisted.ensureDeferred
async def test_a_challenge_on_list_page_2_withdraws_nothing(column: Column) -> None:
    paths = trs_column(column)
    config = column.registry("/col/index.html")
    assert (await column.crawl(config)).counts.documents_new == 6
    # page 2 turns into a 瑞数 challenge and a report leaves page 1: nothing may be withdrawn
    column.write("/col/index_1.html", "<html><script>$_ts=window['$_ts']||{};</script></html>")
    column.write("/col/index_1.html.status", "412")
    column.write("/col/index.html", column.root.joinpath("col/index.html").read_text(encoding="utf-8")
                 .replace(f'<li><a href="{paths[0]}"', '<li><a href="/elsewhere.html"'))
    result = await column.crawl(config, GOVARCHIVE_REFRESH=True)
    assert result.status == "ok" and result.counts.withdrawn == 0
    assert (f"{column.base_url}/col/index_1.html", "list page: blocked: 瑞数 challenge (HTTP 412)") in result.failures
    assert column.run_walk().startswith("incomplete: list page") and "瑞数" in column.run_walk()


@pytest_twisted.ensureDeferred
async def test_a_blocked_start_page_is_a_blocked_run(column: Column) -> None:
    column.write("/col/index.html", "<html><script>document.cookie=('__jsl_clearance=1');"
                                    "location.href=location.pathname+location.search</script></html>")
    column.write("/col/index.html.status", "521")
    result = await column.crawl(column.registry("/col/index.html"))
    assert result.status == "blocked" and result.counts.documents_new == 0
    assert result.failures == ((f"{column.base_url}/col/index.html", "list page: blocked: 加速乐 challenge (HTTP 521)"),)


@pytest_twisted.ensureDeferred
async def test_a_nightly_run_stops_after_the_first_list_page(column: Column) -> None:
    trs_column(column)
    config = column.registry("/col/index.html")
    first = await column.crawl(config)
    assert (first.counts.list_pages, first.counts.documents_new) == (3, 6) and column.run_walk() == "complete"
    nightly = await column.crawl(config)
    assert (nightly.counts.list_pages, nightly.counts.detail_pages, nightly.counts.skipped) == (1, 0, 2)
    assert column.run_walk().startswith("incremental: stopped at")
    # a full walk is due again after full_walk_days (0 here)
    full = await column.crawl(column.registry("/col/index.html", full_walk_days=0))
    assert full.counts.list_pages == 3 and column.run_walk() == "complete"


@pytest_twisted.ensureDeferred
async def test_a_post_answer_that_is_html_is_a_list_failure_naming_the_page(column: Column) -> None:
    column.write("/col/index.html", """<html><body><div id="1"><script type="text/xml"><datastore>
        <nextgroup><![CDATA[<a href="/broken/dataproxy.jsp?page=1&columnid=9"></a>]]></nextgroup><recordset>
        <record><![CDATA[<li><a href="/art/2025/1/1/art_9_1.html">r</a></li>]]></record></recordset></datastore>
        </script></div><script>$('#1').jpage({perPage: 1, totalRecord: 3, proxyUrl: '/broken/dataproxy.jsp'});</script>
        </body></html>""")
    column.reports(["/art/2025/1/1/art_9_1.html"])
    column.write("/broken/dataproxy.jsp", "<html><body>系统繁忙</body></html>")  # what the POST gets
    result = await column.crawl(column.registry("/col/index.html"))
    assert result.ok and result.counts.documents_new == 1
    window = f"{column.base_url}/broken/dataproxy.jsp?startrecord=2&endrecord=2&perpage=1"
    assert result.failures == ((window, "list page: expected a Hanweb dataproxy <datastore> XML answer, "
                                        "got an HTML page"),)
    assert column.run_walk().startswith(f"incomplete: list page {window}: expected a Hanweb")


@pytest_twisted.ensureDeferred
async def test_a_json_list_api_is_walked_by_its_pages(column: Column) -> None:
    paths = [f"/zhengce/content/2025-01/{n:02d}/content_{n}.htm" for n in range(1, 6)]
    column.reports(paths)
    pages = [paths[0:2], paths[2:4], paths[4:5]]
    for number, page in enumerate(pages, start=1):
        rows = [{"url": f"{column.base_url}{path}", "title": f"报告{path[-6:]}", "pubtimeStr": "2025.01.16"}
                for path in page]
        if number == 1:  # a row whose "url" is escaped HTML must not become a URL
            rows.append({"url": "<a href=\\\"/x/content_9.htm\\\">x</a>", "title": "x"})
        column.write(f"/search-gov/data_{number}.json",
                     json.dumps({"searchVO": {"listVO": rows, "totalpage": len(pages)}}, ensure_ascii=False))
    config = column.registry("/zhengce/", list_api={
        "url": f"{column.base_url}/search-gov/data_{{page}}.json", "rows": "searchVO.listVO",
        "date": "pubtimeStr", "total_pages": "searchVO.totalpage"})
    result = await column.crawl(config)
    assert result.ok and (result.counts.documents_new, result.counts.list_pages) == (5, 3)
    assert not any("content_9" in line for line in column.requested)
    assert column.run_walk() == "complete"
    await assert_nightly_reads_one_list_page(column, config)


@pytest_twisted.ensureDeferred
async def test_shanghai_year_archives_are_each_walked_once(column: Column) -> None:
    paths = [f"/shqp/{20250300 + n}/{1180560 + n}.html" for n in range(1, 5)]
    column.reports(paths)
    years = '<div class="year-list"><a href="/col/2025/index.html">2025年</a><a href="/col/2024/index.html">2024年</a></div>'
    for year, page_paths in (("2025", paths[:2]), ("2024", paths[2:])):
        column.write(f"/col/{year}/index.html", f"<html><body>{years}<ul>{''.join(rows(page_paths))}</ul>"
                     '<script>$(".pagination").pagination({ totalPage: 1, currentPage: 1 });</script></body></html>')
    result = await column.crawl(column.registry("/col/2025/index.html"))
    assert result.ok and (result.counts.documents_new, result.counts.list_pages) == (4, 2)
    assert column.run_walk() == "complete"
