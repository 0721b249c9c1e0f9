"""Chinese text is written with full-width punctuation (，：；！？（）), as a Chinese reader
expects: in every template, every message the code raises, flashes or sends, and on the
pages themselves as each demo role sees them.

The source scan reads templates' text and the string literals inside their tags, and the
Python string literals of the package (not raw strings, which are patterns, and not
English prose such as docstrings that name a Chinese term)."""

from __future__ import annotations

import io
import re
import tokenize
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa

from wishboard.accounts.models import User
from wishboard.extensions import db

PACKAGE = Path(__file__).resolve().parents[1] / "wishboard"
CJK = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef"
HALF_WIDTH_BY_CHINESE = re.compile(rf"(?<=[{CJK}])[,:;!?()]|[,:;!?()](?=[{CJK}])")
JINJA_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.S)
QUOTED = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*\"""")
# Punctuation in running text right beside a Jinja tag, on a line of Chinese:
# 认领人{{ name }}({{ org }}) reads as "认领人李建国(省种子站)".
PUNCTUATION_BY_TAG = re.compile(
    r"(?:\}\}|%\}|</\w+>)[,:;()]|[,:;()](?:\{\{|\{%|<\w)")
BETWEEN_TAGS = re.compile(r"(?:\}\}|%\}|</\w+>)[,:;(]\{[{%]|\}\}\)(?:\{%|<)")


def _offences(text: str) -> list[str]:
    return [text[max(m.start() - 8, 0):m.end() + 8] for m in HALF_WIDTH_BY_CHINESE.finditer(text)]


def template_offences(source: str) -> list[str]:
    found = []
    for line in source.splitlines():
        for part in JINJA_TAG.split(line):
            if JINJA_TAG.fullmatch(part):
                for literal in QUOTED.findall(part):
                    found += _offences(literal[1:-1])
            else:
                found += _offences(part)
        if re.search(f"[{CJK}]", line):
            found += [line.strip()[:60] for _ in PUNCTUATION_BY_TAG.finditer(line)]
        else:  # {{ name }}({{ username }}): Chinese once the tags are filled in
            found += [line.strip()[:60] for _ in BETWEEN_TAGS.finditer(line)]
    return found


def _is_prose(token: str, prefix: str) -> bool:
    """English sentences (docstrings, log lines) that mention a Chinese word keep English
    punctuation: more Latin letters than Chinese characters, leaving f-string fields out."""
    body = token[len(prefix):]
    if "f" in prefix.lower():
        body = re.sub(r"\{[^{}]*\}", "", body)
    return len(re.findall("[A-Za-z]", body)) > len(re.findall(f"[{CJK}]", body))


# In a Chinese f-string: punctuation beside a {field}, which fills with Chinese (来自{name})).
PUNCTUATION_BY_FIELD = re.compile(r"\}[),:;]|[(,:;]\{")
# A bracket opened full-width and closed half-width, or the other way round.
MIXED_BRACKETS = re.compile(r"（[^()（）]*\)|\([^()（）]*）")


def python_offences(source: str) -> list[str]:
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.STRING:
            continue
        prefix = re.match("[A-Za-z]*", token.string).group(0)
        if set(prefix.lower()) & {"r", "b"} or _is_prose(token.string, prefix):
            continue
        hits = _offences(token.string) + MIXED_BRACKETS.findall(token.string)
        if "f" in prefix.lower() and re.search(f"[{CJK}]", token.string):
            hits += PUNCTUATION_BY_FIELD.findall(token.string)
        found += [f"line {token.start[0]}: {hit}" for hit in hits]
    return found


def test_the_scanner_finds_what_a_reader_would_see():
    """The rules catch the real mistakes and leave code and English alone."""
    assert template_offences("<p>群众微心愿,党员微服务</p>")
    assert template_offences("<span>服务对象:{{ w.alias }}</span>")
    assert template_offences("{{ '光荣榜上不显示(积分照算)' if x }}")
    assert template_offences("<dd>{{ name }}{% if org %}({{ org }}){% endif %}认领</dd>")
    assert not template_offences("<p>群众微心愿，党员微服务（{{ n }}人）</p>")
    assert not template_offences("{{ url_for('web.board', q='买药') }}")
    assert python_offences('flash("认领成功!责任书已公示")')
    assert python_offences('f"已发布:{form.result.title}"')
    assert not python_offences('"""Ratings (群众点评) of a completed wish."""')
    assert not python_offences('re.compile(r"^只能是：(.+)$")')
    assert python_offences('f"新需求：{title}（来自{name})"')
    assert python_offences('f"认领人({name})"')
    assert not python_offences('f"认领人（{name}）"')
    assert template_offences("<p>第2步 (<a href='/'>换一个社区</a>)</p>")


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.html")),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_templates_use_full_width_punctuation_in_chinese(path):
    assert template_offences(path.read_text(encoding="utf-8")) == []


def test_messages_use_full_width_punctuation_in_chinese():
    found = {str(path.relative_to(PACKAGE)): hits for path in sorted(PACKAGE.rglob("*.py"))
             if (hits := python_offences(path.read_text(encoding="utf-8")))}
    assert found == {}


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self.text += [value for name, value in attrs
                      if name in ("placeholder", "aria-label", "title", "alt", "content")
                      and value]

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def visible_text(html: str) -> str:
    """The words a reader sees, run together as the page runs them (an inline link inside
    a sentence stays beside its brackets)."""
    parser = _VisibleText()
    parser.feed(html)
    return "".join(parser.text)


def test_the_demo_community_reads_in_full_width_punctuation_for_every_role(app, runner, client):
    """What each demo role reads on its main pages: the templates and messages together, with
    the demo's own wishes, letters, ratings and notifications."""
    runner.invoke(args=["wishboard", "seed-demo"])
    pages = ["/", "/auth/login", "/auth/register", "/auth/reset"]
    community_id = db.session.scalar(sa.select(User.community_id).where(
        User.username == "shuji_zhang"))
    pages += [f"/communities/{community_id}", f"/communities/{community_id}/honor",
              f"/communities/{community_id}/activities",
              f"/communities/{community_id}/stats", f"/communities/{community_id}/stats/report"]
    wish_ids = db.session.scalars(sa.text("SELECT id FROM wishes ORDER BY id")).all()
    pages += [f"/wishes/{wish_id}" for wish_id in wish_ids]
    pages += [f"/wishes/{wish_id}/poster" for wish_id in wish_ids]
    activity_ids = db.session.scalars(sa.text("SELECT id FROM activities ORDER BY id")).all()
    pages += [f"/activities/{i}" for i in activity_ids]
    pages += [f"/activities/{i}/poster" for i in activity_ids]
    volunteer_ids = db.session.scalars(sa.text(
        "SELECT id FROM users WHERE role = 'volunteer' ORDER BY id")).all()
    pages += [f"/volunteers/{i}" for i in volunteer_ids]
    pages += [f"/auth/register?community_id={community_id}"]
    organizations = dict(db.session.execute(sa.text(
        "SELECT id, report_status FROM organizations ORDER BY id")).all())
    pages += [f"/organizations/{i}" for i, status in organizations.items()
              if status == "approved"]
    waiting = [f"/organizations/{i}" for i, status in organizations.items()
               if status != "approved"]
    own = {"dangyuan_li": ["/claims/mine", "/inbox", "/auth/account", "/me/organization",
                           "/organizations/report"],
           "jumin_wu": ["/needs/mine", "/needs/new", "/inbox", "/auth/account"],
           "shuji_zhang": ["/manage/", "/manage/needs", "/manage/reports", "/manage/residents",
                           "/manage/settings", "/manage/points-rules", "/manage/commendation",
                           "/manage/audit", "/manage/hours", "/manage/wishes", "/manage/wishes/new",
                           "/manage/needs/new", "/manage/places", "/manage/organizations",
                           "/manage/stats", "/manage/rollup",
                           "/inbox", "/auth/account", *waiting]}
    found = {}
    for who in [None, *own]:
        if who:
            client.post("/auth/login", data={"username": who, "password": "yubei-demo-2026"})
        for url in pages + own.get(who, []):
            response = client.get(url, follow_redirects=True)
            assert response.status_code == 200, (who, url, response.status_code)
            hits = _offences(visible_text(response.get_data(as_text=True)))
            if hits:
                found[f"{who or 'visitor'} {url}"] = hits
        client.post("/auth/logout", data={})
    assert found == {}
