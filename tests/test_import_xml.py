"""The importer reads untrusted XML (clinicase.jats_import.xml_source): entity bombs, external entities and
DTD fetches are refused or never happen, malformed XML is a located error, oversized and over-deep files are
refused, and the command prints problems, never a traceback."""

import http.server
import os
import subprocess
import sys
import threading

import pytest

from clinicase.errors import ContentError
from clinicase.jats_import import xml_source
from clinicase.jats_import.xml_source import read_article
from conftest import FIXTURES, REPO

HOSTILE = FIXTURES / "jats" / "hostile"


def problems_of(path, name="article.xml"):
    with pytest.raises(ContentError) as caught:
        read_article(path, name)
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def recording_server():
    """A loopback HTTP server that records every request: a DTD fetch would show up here."""
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leaked "fetched">')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


def test_an_entity_bomb_is_refused_at_its_declaration():
    [problem] = problems_of(HOSTILE / "billion-laughs.xml")
    assert problem.startswith("article.xml:4:") and "refused: the file declares or refers to an entity (lol)" in problem


def test_an_external_entity_is_refused_and_the_file_it_names_is_never_read():
    [problem] = problems_of(HOSTILE / "external-entity.xml")
    assert problem.startswith("article.xml:3:") and "refused" in problem and "secret" in problem
    assert "root:" not in problem  # nothing of /etc/passwd


def test_the_dtd_a_pmc_file_names_is_never_fetched(tmp_path, recording_server):
    base, requests = recording_server
    article = tmp_path / "article.xml"
    article.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE article PUBLIC "-//NLM//DTD JATS//EN" "{base}/jats.dtd">\n'
                       "<article><front/></article>\n", encoding="utf-8")
    assert read_article(article, "article.xml").root.tag == "article"
    assert requests == []


def test_an_external_parameter_entity_is_refused_without_a_request(tmp_path, recording_server):
    base, requests = recording_server
    article = tmp_path / "article.xml"
    article.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE article [\n<!ENTITY % remote SYSTEM "{base}/evil.dtd">\n'
                       "%remote;\n]>\n<article>&leaked;</article>\n", encoding="utf-8")
    [problem] = problems_of(article)
    assert problem.startswith("article.xml:3:") and "refused" in problem
    assert requests == []


def test_malformed_xml_is_located_with_what_to_do():
    [problem] = problems_of(HOSTILE / "malformed.xml")
    assert problem.startswith("article.xml:5:") and "mismatched tag" in problem and "download the article's JATS XML again" in problem


def test_a_named_entity_only_a_dtd_defines_says_how_to_fix_it(tmp_path):
    article = tmp_path / "article.xml"
    article.write_text('<article>\n<p>five&nbsp;mg</p></article>', encoding="utf-8")
    [problem] = problems_of(article)
    assert problem.startswith("article.xml:2:") and "undefined entity" in problem and "&#160;" in problem


def test_pubmed_citation_xml_is_not_taken_for_an_article():
    [problem] = problems_of(HOSTILE / "pubmed-citation.xml")
    assert "not a JATS article: this is PubMed XML (the citation and abstract only)" in problem


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(xml_source, "MAX_XML_BYTES", 1000)
    article = tmp_path / "article.xml"
    article.write_text("<article>" + "x" * 2000 + "</article>", encoding="utf-8")
    [problem] = problems_of(article)
    assert "more than the 1,000 allowed" in problem


def test_absurd_nesting_is_refused(tmp_path):
    article = tmp_path / "article.xml"
    article.write_text("<article>" + "<p>" * 500 + "</p>" * 500 + "</article>", encoding="utf-8")
    [problem] = problems_of(article)
    assert f"nested more than {xml_source.MAX_DEPTH} deep" in problem


def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "article.xml"
    os.mkfifo(fifo)
    [problem] = problems_of(fifo)
    assert "not a regular file" in problem


def test_every_element_knows_its_line():
    article = read_article(FIXTURES / "jats" / "synthetic" / "case-report.xml", "case-report.xml")
    licence = article.root.find(".//license")
    assert str(article.where(licence)) == "case-report.xml:22:1"


@pytest.mark.parametrize("fixture", ["billion-laughs.xml", "external-entity.xml", "malformed.xml", "pubmed-citation.xml"])
def test_the_command_prints_the_problem_never_a_traceback(tmp_path, fixture):
    result = subprocess.run([sys.executable, "-m", "clinicase.jats_import", str(HOSTILE / fixture), "--project", str(tmp_path)],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO / "hooks")}, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("The import stopped; nothing was written. 1 problem:")
    assert "Traceback" not in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []
