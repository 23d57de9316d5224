"""What an uploaded file may not carry: PDF scripts, launch actions, embedded files, and HTML.

An attachment is opened by reviewers on their own machines, so a PDF that runs
JavaScript, launches a program or carries another file inside is refused, whatever
its name says. The PDF is parsed with pikepdf (qpdf), every object walked — an
action can hide in an annotation, a form field or the document's names tree, not
only in /OpenAction. A file that a browser would also read as a web page (a PDF/HTML
polyglot) is refused too: served or saved under another name, its script would run
in the reader's browser.
"""

import io
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pikepdf
from django.utils.translation import gettext_lazy as _

# Elements whose presence makes bytes a working web page or a script carrier. Names
# made only of hexadecimal digits (a, b, dd, …) are left out: "<DD>" is an ordinary
# PDF hex string.
HTML_ELEMENTS = frozenset(
    {
        "html", "head", "body", "script", "iframe", "frame", "frameset", "object", "embed", "applet",
        "svg", "math", "img", "meta", "base", "link", "style", "form", "input", "button", "title",
        "video", "audio", "template", "div", "span", "table", "h1", "p", "br", "font",
    }
)  # fmt: skip

REFUSALS: dict[str, Any] = {  # lazy translations, read when refusing
    "javascript": _("PDF 文件含有脚本（JavaScript），出于安全原因不予接收。请用“打印为 PDF”或扫描重新生成后上传。"),
    "launch": _("PDF 文件含有启动外部程序的动作，出于安全原因不予接收。请重新生成不含该动作的 PDF 后上传。"),
    "embedded": _("PDF 文件内嵌了其他文件，出于安全原因不予接收。请将所附文件分别上传。"),
    "media": _("PDF 文件含有多媒体或 Flash 内容，出于安全原因不予接收。"),
    "html": _("文件同时可被浏览器当作网页（HTML）打开，出于安全原因不予接收。请上传普通的 PDF、JPG 或 PNG 文件。"),
    "encrypted": _("PDF 文件已加密，无法检查其内容。请上传未加密的文件。"),
    "damaged": _("PDF 文件已损坏，无法读取。请重新生成后上传。"),
}

# Action types (/S) and their refusal.
ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/GoToE": "embedded",
    "/RichMediaExecute": "media",
}
# Keys whose mere presence is refused: /JS (a script), /JavaScript (the names tree of
# document scripts), /XFA (XML forms, which carry their own scripts), /EmbeddedFiles
# (the names tree of attachments), /EF (a file specification with the file inside).
KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/XFA": "javascript",
    "/EmbeddedFiles": "embedded",
    "/EF": "embedded",
}
SUBTYPES = {"/FileAttachment": "embedded", "/RichMedia": "media", "/Movie": "media", "/Sound": "media"}


def pdf_refusal(content: bytes) -> str | None:
    """Why this PDF is refused (a key of REFUSALS), or None when it is plain content."""
    try:
        pdf = pikepdf.open(io.BytesIO(content))
    except pikepdf.PasswordError:
        return "encrypted"
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return "damaged"
    with pdf:
        # A PDF with only an owner password (no editing, as many issued documents are)
        # opens and is read like any other; one that needs a password to open is refused above.
        return next(_findings(pdf), None)


def _findings(pdf: pikepdf.Pdf) -> Iterator[str]:
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [pdf.trailer, *pdf.objects]
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            for key in obj.keys():
                if key in KEYS:
                    yield KEYS[key]
            action = obj.get("/S")
            if isinstance(action, pikepdf.Name) and str(action) in ACTIONS:
                yield ACTIONS[str(action)]
            subtype = obj.get("/Subtype")
            if isinstance(subtype, pikepdf.Name) and str(subtype) in SUBTYPES:
                yield SUBTYPES[str(subtype)]
            if obj.get("/Type") == pikepdf.Name("/EmbeddedFile"):
                yield "embedded"
            stack.extend(obj.values())
        elif isinstance(obj, pikepdf.Array):
            stack.extend(obj)


class _HtmlFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HTML_ELEMENTS:
            self.found = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def looks_like_html(content: bytes) -> bool:
    """Whether a browser's HTML parser would find a page element in these bytes, wherever they sit."""
    finder = _HtmlFinder()
    # Latin-1 maps every byte to one character, so no byte sequence is an error; the
    # parser recovers from binary noise as a browser does.
    text = content.decode("latin-1")
    step = 1 << 20
    for start in range(0, len(text), step):
        finder.feed(text[start : start + step])
        if finder.found:
            return True
    finder.close()
    return finder.found
