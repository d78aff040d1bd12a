"""Hostile text through every path a view has for it, in Python: a text node, a quoted
attribute value, a dynamic attribute, and (the trusted path) raw markup. The twin of the Rust
view in tests/guests/escape; tests/js/e2e_escape.mjs types hostile strings into the form and
checks the DOM. The view never escapes: the host does."""

from liveplug import LiveView, Template, export, page, raw, unknown_event

PAGE = Template(
    '<main id="escape">'
    '<p id="text">{said}</p>'
    '<p id="attr" title="{said}">attribute</p>'
    '<b id="attrs"{attrs}>attributes</b>'
    '<div id="raw">{trusted}</div>'
    '<form id="say" phx-submit="say">'
    '<input id="words" name="text" autocomplete="off">'
    '<button id="send" type="submit">Say</button>'
    "</form>"
    "</main>"
)

TRUSTED = raw('<em id="trusted" class="raw">trusted markup</em>')


@export
class Escape(LiveView):
    def __init__(self):
        self.said = "nothing yet"

    def mount(self, params, session, connected, connect_params):
        page.set_title("Escape")

    def handle_event(self, name, value, target):
        if name == "say":
            text = value.get("text") if isinstance(value, dict) else None
            self.said = text if isinstance(text, str) else ""
        else:
            raise unknown_event(name)

    def render(self):
        return PAGE(
            said=self.said,
            attrs={"title": self.said, "data-on": True},
            trusted=TRUSTED,
        )
