"""The article's licence from its <permissions>, named by the licence vocabulary (jats_import.licence): what the
licence element links to first, then an address or the licence's name in its text; an unknown licence is an
error that asks the author to choose, and the author's choice is recorded against what the article says."""

import pytest

from clinicase.errors import ContentError
from clinicase.jats_import.licence import read_permissions
from clinicase.jats_import.xml_source import read_article
from clinicase.vocabularies import licences
from conftest import FIXTURES

XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:ali="http://www.niso.org/schemas/ali/1.0/"'


def article(tmp_path, permissions: str):
    path = tmp_path / "article.xml"
    path.write_text(f"<article {XLINK}><front><article-meta>\n{permissions}\n</article-meta></front></article>",
                    encoding="utf-8")
    return read_article(path, "article.xml")


# Each permissions block is written the way a publisher writes it (synthetic wording, real structure).
CASES = {
    "ali-license-ref": ("<permissions><license><ali:license_ref>https://creativecommons.org/licenses/by/4.0/</ali:license_ref>"
                        "<license-p>Open access.</license-p></license></permissions>", "cc-by-4.0"),
    "license-href": ('<permissions><license xlink:href="http://creativecommons.org/licenses/by-nc-sa/3.0/">'
                     "<license-p>Some words.</license-p></license></permissions>", "cc-by-nc-sa-3.0"),
    "nd-href": ('<permissions><license license-type="open-access" xlink:href="https://creativecommons.org/licenses/by-nd/4.0/">'
                "<license-p>Text.</license-p></license></permissions>", "cc-by-nd-4.0"),
    "nc-nd-name-with-version": ("<permissions><license><license-p>This article is licensed under a Creative Commons "
                                "Attribution-NonCommercial-NoDerivatives 4.0 International License.</license-p></license>"
                                "</permissions>", "cc-by-nc-nd-4.0"),
    "name-without-version": ("<permissions><license><license-p>Distributed under the terms of the Creative Commons "
                             "Attribution License, which permits unrestricted use.</license-p></license></permissions>", "cc-by"),
    "non-commercial-in-words": ("<permissions><license><license-p>Distributed under the Creative Commons Attribution "
                                "Non-Commercial License.</license-p></license></permissions>", "cc-by-nc"),
    "abbreviation": ("<permissions><license><license-p>Published under CC BY-NC 4.0.</license-p></license></permissions>",
                     "cc-by-nc-4.0"),
    "address-in-text": ("<permissions><license><license-p>See https://creativecommons.org/licenses/by-sa/4.0/legalcode."
                        "</license-p></license></permissions>", "cc-by-sa-4.0"),
    "license-type-only": ('<permissions><license license-type="cc-by-nc-nd"><license-p>Reuse terms on our site.'
                          "</license-p></license></permissions>", "cc-by-nc-nd"),
    "cc0": ('<permissions><license xlink:href="https://creativecommons.org/publicdomain/zero/1.0/">'
            "<license-p>CC0 waiver.</license-p></license></permissions>", "cc0-1.0"),
    "public-domain-mark": ('<permissions><license xlink:href="http://creativecommons.org/publicdomain/mark/1.0/">'
                           "<license-p>In the public domain.</license-p></license></permissions>", "public-domain"),
    "data-waiver-after-licence": ("<permissions><license><license-p>Distributed under "
                                  "http://creativecommons.org/licenses/by/4.0/. The Creative Commons Public Domain "
                                  "Dedication waiver (http://creativecommons.org/publicdomain/zero/1.0/) applies to the "
                                  "data.</license-p></license></permissions>", "cc-by-4.0"),
    "nlm-2.3-copyright-statement": ("<copyright-statement>Someone et al. This is an open-access article distributed under "
                                    "the terms of the Creative Commons Attribution License.</copyright-statement>", "cc-by"),
}


@pytest.mark.parametrize("name", CASES)
def test_each_licence_kind_maps_to_the_vocabulary(tmp_path, name):
    permissions, expected = CASES[name]
    assert expected in licences()
    found = read_permissions(article(tmp_path, permissions))
    assert found.licence == expected and found.notes == []


def test_the_statement_is_the_copyright_and_licence_text_verbatim(tmp_path):
    found = read_permissions(article(tmp_path, "<permissions><copyright-statement>© 2020 A and B</copyright-statement>"
                                     "<license><license-p>Under CC BY 4.0.</license-p></license></permissions>"))
    assert found.statement == "© 2020 A and B Under CC BY 4.0."


def test_an_unknown_licence_is_an_error_that_asks_the_author_to_choose(tmp_path):
    with pytest.raises(ContentError) as caught:
        read_permissions(article(tmp_path, "<permissions><copyright-statement>© 2010 A Publisher. All rights reserved."
                                           "</copyright-statement></permissions>"))
    [problem] = caught.value.problems
    assert str(problem).startswith("article.xml:2:1: no licence this site knows was found in the article's <permissions> "
                                   "(the article says: '© 2010 A Publisher. All rights reserved.')")
    assert "LICENCE=cc-by-nc-4.0" in problem.fix and "used-with-permission" in problem.fix


def test_a_creative_commons_version_the_vocabulary_does_not_list_is_not_guessed(tmp_path):
    with pytest.raises(ContentError):
        read_permissions(article(tmp_path, '<permissions><license xlink:href="http://creativecommons.org/licenses/by/2.1/jp/">'
                                           "<license-p>Japan port.</license-p></license></permissions>"))


def test_the_authors_choice_is_used_and_a_disagreement_recorded(tmp_path):
    chosen = read_permissions(article(tmp_path, CASES["license-href"][0]), "used-with-permission")
    assert chosen.licence == "used-with-permission"
    assert chosen.notes == ["you chose the licence used-with-permission; the article's <permissions> say cc-by-nc-sa-3.0 "
                            "(http://creativecommons.org/licenses/by-nc-sa/3.0/)"]


def test_a_choice_that_is_no_licence_id_names_the_closest(tmp_path):
    with pytest.raises(ContentError) as caught:
        read_permissions(article(tmp_path, CASES["license-href"][0]), "cc-by-4")
    assert "LICENCE=cc-by-4 is not a licence id" in str(caught.value) and "cc-by-4.0" in str(caught.value)


@pytest.mark.parametrize("file, expected", [("1471-2180-11-174.nxml", "cc-by-2.0"), ("1472-6831-8-11.nxml", "cc-by-2.0"),
                                            ("ehp-116-1694.nxml", "public-domain"), ("mds526.nxml", "cc-by-nc-3.0"),
                                            ("pntd.0002065.nxml", "cc-by"), ("pone.0000217.nxml", "cc-by"),
                                            ("pone.0046493.nxml", "cc-by")])
def test_the_real_articles_licences(file, expected):
    """As PROVENANCE.md records them from each article's own permissions."""
    assert read_permissions(read_article(FIXTURES / "jats" / "real" / file, file)).licence == expected
