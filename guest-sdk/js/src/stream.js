// Streams: collections whose items are sent to the browser once and kept by neither the view nor
// the host (Phoenix's `stream/4`), for a `phx-update="stream"` container.

/**
 * A stream named `name` (unique within the view) whose items have the DOM id `domId(item)`.
 * Insert, delete or reset in handlers; `place(render)` in a template sends the pending
 * operations with the next render and forgets them.
 *
 *     state: () => ({ messages: new Stream("messages", (m) => `msg-${m.id}`) }),
 *     render: (s) => html`<ul id="messages" phx-update="stream">${s.messages.place((m) =>
 *       html`<li id="msg-${m.id}">${m.text}</li>`)}</ul>`,
 *
 * A stream is not saved in snapshots (its items live in the browser): a restored view takes it
 * from `state()`, empty, so keep streams at the top level of the state.
 */
export class Stream {
  constructor(name, domId) {
    if (typeof name !== "string" || name === "") throw new TypeError("new Stream(name, domId): name must be a non-empty string");
    if (typeof domId !== "function") throw new TypeError("new Stream(name, domId): domId must be a function of an item");
    this.name = name;
    this.domId = domId;
    this.pending = { inserts: [], deletes: [], reset: false };
  }

  /**
   * Inserts `item`, or updates the element with its DOM id wherever it is. Options: `at`
   * ("end", the default, "start", or a child index), `limit` (keep the first `limit` children
   * when positive, the last `-limit` when negative), `updateOnly` (only update an element the
   * browser has).
   */
  insert(item, { at = "end", limit = null, updateOnly = false } = {}) {
    if (at !== "end" && at !== "start" && !(Number.isInteger(at) && at >= 0)) {
      throw new TypeError(`stream ${this.name}: at is "end", "start" or a child index, not ${String(at)}`);
    }
    if (limit !== null && !(Number.isInteger(limit) && limit !== 0)) {
      throw new TypeError(`stream ${this.name}: limit is a non-zero integer, not ${String(limit)}`);
    }
    this.pending.inserts.push({ domId: String(this.domId(item)), item, at, limit, updateOnly: Boolean(updateOnly) });
    return this;
  }

  /** Updates the element of `item` only if the browser has it. */
  update(item) {
    return this.insert(item, { updateOnly: true });
  }

  /** Removes the element of `item`, or with this DOM id (a string). */
  delete(itemOrDomId) {
    this.pending.deletes.push(typeof itemOrDomId === "string" ? itemOrDomId : String(this.domId(itemOrDomId)));
    return this;
  }

  /** Removes every element, then inserts `items` in order. */
  reset(items = []) {
    this.pending = { inserts: [], deletes: [], reset: true };
    for (const item of items) this.insert(item);
    return this;
  }

  /** The stream for a template slot; `render(item)` returns the html`...` of one item, whose root carries its DOM id. */
  place(render) {
    if (typeof render !== "function") throw new TypeError(`stream ${this.name}: place(render) takes a function of an item`);
    return new PlacedStream(this, render);
  }

  /** The pending operations, forgotten. */
  drain() {
    const pending = this.pending;
    this.pending = { inserts: [], deletes: [], reset: false };
    return pending;
  }

  /** Not saved in snapshots. */
  toJSON() {
    return undefined;
  }
}

export class PlacedStream {
  constructor(stream, render) {
    this.stream = stream;
    this.render = render;
  }
}
