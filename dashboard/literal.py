"""Text from contracts, deliveries and people, shown as text: never read as Markdown or HTML.

Streamlit reads Markdown (and its own directives: `:red[...]`, `:material/...:`, `$math$`)
in st.markdown, titles and headers, captions, st.info/success/warning/error, progress texts,
widget and metric labels; a supplier named `![x](http://host/px.png)` would make every browser
that shows the name fetch that image, and `[x](javascript:...)` would be a link. Plotly reads
a few HTML tags (`<a href>`, `<b>`, `<br>`) in titles, axis titles, tick labels, hover texts,
trace names and bar texts. These functions make a text literal for each; our own strings
(dashboard/i18n.py) are not passed through them, only the values put into them.

Plain-text places need neither: st.dataframe cells and column names, st.text, and the options
of st.selectbox and st.multiselect (their labels do read Markdown).
"""

import re

_ASCII_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029]")
# Where GFM finds a link in plain text (`http://`, `www.`, an e-mail's `@`): Streamlit's
# Markdown looks for these in the text after the escapes are read, so an escape cannot stop
# them; an invisible word joiner between the characters does.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=[wW]{3})(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


def markdown(text: object) -> str:
    """`text` for a place that reads Markdown: every ASCII punctuation character (each one
    CommonMark lets a backslash escape, so every Markdown-special character and HTML's `<`,
    `>` and `&`) behind a backslash, line breaks as spaces (a value cannot start a block of
    its own), and an invisible word joiner (U+2060) inside `://`, `www.` and before `@`, where
    GFM would make a link of plain text. The page shows the text as it was written (a copied
    address carries the invisible joiner). None is shown as ''."""
    if text is None:
        return ""
    joined = _AUTOLINK.sub(WORD_JOINER, _LINE_BREAKS.sub(" ", str(text)))
    return _ASCII_PUNCTUATION.sub(r"\\\1", joined)


def plotly(text: object) -> str:
    """`text` for a plotly title, axis title, tick label, trace name, bar or hover text:
    `&`, `<` and `>` as HTML entities, which plotly shows as the characters themselves (it
    reads `<b>`, `<br>` and `<a href=...>` as tags, and `&lt;` as `<`). None is ''."""
    if text is None:
        return ""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
