"""LaTeX in BibTeX fields as Unicode text (clinicase.latex_text, on pylatexenc)."""

import pytest

from clinicase.latex_text import convert, expand, preamble_commands, sentence_case


@pytest.mark.parametrize("latex, text", [
    ("$<$0.05 and $\\geq$ 5", "<0.05 and ≥ 5"),  # math to Unicode
    ("H$_2$O, CO\\textsubscript{2}, x\\textsuperscript{3}, {$^{3}$}", "H₂O, CO₂, x³, ³"),
    ("\\url{https://x.org/a_b} and \\href{https://x.org}{the site}", "https://x.org/a_b and the site"),
    ("10\\,mg and 5.2~nm", "10 mg and 5.2\u00a0nm"),  # spacing: a thin space, a tie
    ("{\\k{a}}, {\\=o}, Bronis{\\l}aw, Encyclop{\\ae}dia, Aks{\\i}n", "ą, ō, Bronisław, Encyclopædia, Aksın"),
    ("{\\noopsort{1973b}}1973", "1973"), ("\\mbox{G-Animal's} Journal", "G-Animal's Journal"),
    ("methodology\\hyphen independent, 579\\psqq", "methodology-independent, 579 ff."),
    ("\\mkbibquote{Intention}, \\emph{in vitro}, \\textsc{mcxcviii}, The \\TeX book", "“Intention”, in vitro, MCXCVIII, The TeXbook"),
    ("Response in 50% of cases", "Response in 50% of cases"),  # a bare % is a per cent sign, not a comment
])
def test_latex_becomes_text(latex, text):
    converted = convert(latex)
    assert converted.text == text and converted.leftovers == ()


@pytest.mark.parametrize("latex, leftovers", [
    ("\\unknowncommand{x}", ("\\unknowncommand",)), ("$x_\\alpha$", ("_",)), ("see \\cite{k}", ("\\cite",)),
    ("C:\\path\\", ("\\path",))])
def test_what_stays_latex_is_reported(latex, leftovers):
    assert convert(latex).leftovers == leftovers


@pytest.mark.parametrize("latex, cased", [
    ("Fighting Fire with Fire: Festooning {F}rench Phrases", "Fighting fire with fire: festooning French phrases"),
    ("Calcinosis cutis: part {I}. Diagnostic pathway", "Calcinosis cutis: part I. Diagnostic pathway"),
    ("Signature of Balancing Selection in HIV and LaTeX, anti-PM/Scl", "Signature of balancing selection in HIV and LaTeX, anti-PM/Scl"),
    ("{\\'E}tude sur {\\'E}douard", "Étude sur édouard"),  # a group that starts with a command changes case
])
def test_sentence_case_where_braces_allow(latex, cased):
    assert sentence_case(convert(latex).segments) == cased


def test_preamble_commands_expand():
    commands = preamble_commands('"\\newcommand{\\switchargs}[2]{#2#1} " # "\\newcommand{\\printfirst}[2]{#1}"')
    assert commands == {"switchargs": (2, "#2#1"), "printfirst": (2, "#1")}
    assert convert(expand("{\\switchargs{--90}{1968}} Kn{\\printfirst{v}{1987}}", commands)).text == "1968–90 Knv"


def test_characters_the_latex_asks_for_are_text_not_leftovers():
    """An importer writes a backslash in a title as \\textbackslash{}: the reader sees \\, and no warning."""
    converted = convert(r"50\% \textbackslash{} a \{set\} costs \$5")
    assert converted.text == r"50% \ a {set} costs $5" and converted.leftovers == ()
