"""The last wall (clinicase.links.script_in_markup): generated HTML that could run script or fetch a file."""

import pytest

from clinicase.links import script_in_markup


@pytest.mark.parametrize("html", [
    "<p>x</p><script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x.png" onerror="alert(1)">',
    "<img src=x.png OnError=alert(1)>",
    "<svg/onload=alert(1)>",
    '<a href="x"onclick="y">t</a>',
    '<a href="javascript:alert(1)">t</a>',
    '<a href="&#106;avascript:alert(1)">t</a>',
    '<a href="java\tscript:alert(1)">t</a>',
    "<a href='JAVASCRIPT:alert(1)'>t</a>",
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    '<a href="file:///etc/passwd">t</a>',
    '<use xlink:href="data:image/svg+xml,x"/>',
    '<div style="background:url(https://evil.example/p.png)">x</div>',
    '<div style="background: image-set(\'x.png\' 1x)">x</div>',
    "<iframe src=https://example.org></iframe>",
    "<object data=x.swf></object>",
    "<embed src=x>",
    "<base href=https://evil.example/>",
    "<svg><foreignObject>x</foreignObject></svg>",
    '<p title="a > b" onmouseover="alert(1)">x</p>',
    '<p style="background:u\\72 l(https://evil.example/x.png)">x</p>',
    '<svg><a href="#x"><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a></svg>',
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    '<style>@import "https://evil.example/x.css";</style>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
])
def test_what_could_run_script_or_fetch_is_found(html):
    assert script_in_markup(html)


@pytest.mark.parametrize("html", [
    '<p>A <a href="https://doi.org/10.1000/x">DOI</a> and <a href="mailto:a@b.example">mail</a></p>',
    '<a href="../presentation/#sec-history">History</a> <a href="#ref-1">1</a>',
    '<img src="images/fig%201.png" alt="one &amp; two" title="x = y">',
    '<p>javascript: is a word here, onload too, and style="url(x)" written as text</p>',
    '<span class="onward" data-x="on">x</span>',
    "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>",
    '<svg viewBox="0 0 10 10"><a href="#fig-one"><text>x</text></a></svg>',
])
def test_ordinary_pages_pass(html):
    assert script_in_markup(html) == ""
