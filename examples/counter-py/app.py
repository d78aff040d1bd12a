"""A counter: the smallest useful LiveView, as examples/counter (Rust). `+` and `-` change the
count, `Reset` zeroes it, and the page title follows the count. Its state is one int, so it
snapshots (the default): an idle session can hibernate and resume with the same count."""

from liveplug import LiveView, Template, export, page, unknown_event

COUNTER = Template(
    '<main class="counter">'
    '<h1>Count: <span id="count">{count}</span></h1>'
    '<button id="dec" phx-click="dec">-</button>'
    '<button id="inc" phx-click="inc">+</button>'
    '<button id="reset" phx-click="reset">Reset</button>'
    "</main>"
)


@export
class Counter(LiveView):
    def __init__(self):
        self.count = 0

    def mount(self, params, session, connected, connect_params):
        page.set_title("Counter")

    def handle_event(self, name, value, target):
        if name == "inc":
            self.count += 1
        elif name == "dec":
            self.count -= 1
        elif name == "reset":
            self.count = 0
        else:
            raise unknown_event(name)
        page.set_title(f"Count: {self.count}")

    def render(self):
        return COUNTER(count=self.count)
