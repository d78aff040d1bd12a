// Hostile text through every path a view has for it, in JavaScript: a text node, a quoted
// attribute value, a dynamic attribute, and (the trusted path) raw markup. The twin of the Rust
// view in tests/guests/escape; tests/js/e2e_escape.mjs types hostile strings into the form and
// checks the DOM. The view never escapes: the host does.

import { defineView, html, page, raw } from "liveplug";

export default defineView({
  state: () => ({ said: "nothing yet" }),

  mount() {
    page.setTitle("Escape");
  },

  handleEvent(state, event) {
    switch (event.name) {
      case "say": {
        const text = event.value?.text;
        state.said = typeof text === "string" ? text : "";
        break;
      }
      default:
        throw event.unknown();
    }
  },

  render: ({ said }) => html`
    <main id="escape">
      <p id="text">${said}</p>
      <p id="attr" title="${said}">attribute</p>
      <b id="attrs" ${{ title: said, "data-on": true }}>attributes</b>
      <div id="raw">${raw('<em id="trusted" class="raw">trusted markup</em>')}</div>
      <form id="say" phx-submit="say">
        <input id="words" name="text" autocomplete="off">
        <button id="send" type="submit">Say</button>
      </form>
    </main>`,
});
