"""The stylesheet system: every margin, padding, gap and font size in the stylesheets comes from
the spacing and type scales defined once in ``:root`` of bollplank.css, so that the pages share
one rhythm and a change of scale is a change of one line.

Inline ``style=`` attributes (which could carry spacing past this check) are refused for every
served template by ``test_templates_hold_no_inline_script_or_style`` in tests/core/test_deploy.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS_DIR = Path(__file__).resolve().parents[2] / "src" / "bollplank" / "static" / "css"

# The properties that place or size text: margins, paddings, gaps and font sizes (the font
# shorthand too, which may carry a size).
SCALED = re.compile(
    r"(margin|padding)(-(top|right|bottom|left|block|inline)(-(start|end))?)?"
    r"|(row-|column-|grid-|grid-row-|grid-column-)?gap|font-size|font"
)
# What may stand outside a var(): no space at all, the browser's or the parent's value, a share
# of the container, and the function names and factors of a calc() built on the scale.
KEYWORDS = {"0", "auto", "inherit", "initial", "unset", "revert"}
ALLOWED_WORDS = KEYWORDS | {"calc", "min", "max", "clamp"}
NUMBER_OR_SHARE = re.compile(r"\d*\.?\d+%?")
VARIABLE = re.compile(r"var\(--[\w-]+\)")
COMMENT = re.compile(r"/\*.*?\*/", re.S)
# An innermost rule: its selector (the text since the previous brace) and its declarations.
RULE = re.compile(r"([^{}]*)\{([^{}]*)\}")


def literal_sizes(css: str) -> list[str]:
    """The declarations of scaled properties whose value is not built from the scale.

    ``:root`` (where the scale is defined) and ``@page`` (the paper's margin, outside the
    document's own spacing) are not checked."""
    found = []
    for rule in RULE.finditer(COMMENT.sub("", css)):
        selector = " ".join(rule.group(1).split())
        if selector in (":root", "@page"):
            continue
        for declaration in rule.group(2).split(";"):
            prop, _, value = declaration.partition(":")
            prop = prop.strip().lower()
            if not SCALED.fullmatch(prop):
                continue
            rest = VARIABLE.sub(" ", value.replace("!important", ""))
            for token in re.split(r"[\s,()*/+]+", rest):
                if token and token not in ALLOWED_WORDS and not NUMBER_OR_SHARE.fullmatch(token):
                    found.append(f"{selector} {{ {prop}: {value.strip()} }}")
                    break
    return found


def test_literal_sizes_finds_what_is_off_the_scale():
    css = """
    :root { --space-2: .5rem; --text-sm: .9rem; }
    .a { margin: 0 auto; padding: var(--space-2) 5%; gap: var(--space-2); }
    .b { padding: .4rem; }
    @media (max-width: 40rem) {
      .c { font-size: 12px; }
      .d { margin-top: calc(var(--slot) * 3 / 15); }
    }
    .e { font: inherit; line-height: 1.5; width: 12rem; }
    .f { margin-left: var(--space-2, 1rem); font: 1rem serif; }
    @page { margin: 1.5cm; }
    """

    assert literal_sizes(css) == [
        ".b { padding: .4rem }",
        ".c { font-size: 12px }",
        ".f { margin-left: var(--space-2, 1rem) }",
        ".f { font: 1rem serif }",
    ]


@pytest.mark.parametrize("path", sorted(CSS_DIR.glob("*.css")), ids=lambda p: p.name)
def test_stylesheet_spacing_and_font_sizes_come_from_the_scale(path: Path):
    assert literal_sizes(path.read_text(encoding="utf-8")) == []


def test_the_scale_is_defined_once_in_root():
    css = COMMENT.sub("", (CSS_DIR / "bollplank.css").read_text(encoding="utf-8"))
    root = next(m.group(2) for m in RULE.finditer(css) if m.group(1).strip() == ":root")
    defined = set(re.findall(r"(--(?:space|text|leading)-[\w-]+)\s*:", root))
    stylesheets = " ".join(path.read_text(encoding="utf-8") for path in CSS_DIR.glob("*.css"))
    used = set(re.findall(r"var\((--(?:space|text|leading)-[\w-]+)\)", stylesheets))

    assert used - defined == set()
    assert {"--space-1", "--space-6", "--text-sm", "--text-base", "--text-2xl"} <= defined
