// A counter: the smallest useful LiveView. `+` and `-` change the count, `Reset` zeroes it, and
// the page title follows the count. Its state is plain JSON, so it snapshots: an idle session
// can hibernate and resume with the same count.

import { defineView, html, page } from "liveplug";

export default defineView({
  state: () => ({ count: 0 }),

  mount() {
    page.setTitle("Counter");
  },

  handleEvent(state, event) {
    switch (event.name) {
      case "inc":
        state.count += 1;
        break;
      case "dec":
        state.count -= 1;
        break;
      case "reset":
        state.count = 0;
        break;
      default:
        throw event.unknown();
    }
    page.setTitle(`Count: ${state.count}`);
  },

  render: ({ count }) => html`
    <main class="counter">
      <h1>Count: <span id="count">${count}</span></h1>
      <button id="dec" phx-click="dec">-</button>
      <button id="inc" phx-click="inc">+</button>
      <button id="reset" phx-click="reset">Reset</button>
    </main>`,
});
