// Stateful components: each has an id, its own state, renders one root element and handles the
// events aimed at it (`phx-target="#<its root id>"`).

const types = new Map();

/** A kind of stateful component, made by `defineComponent`. */
export class ComponentType {
  constructor(name, definition) {
    this.name = name;
    this.definition = definition;
    Object.freeze(this);
  }

  /** The component's markup: `render(state, id)` returns one html`...` with a single root element. */
  render(state, id) {
    return this.definition.render(state, id);
  }
}

/**
 * Defines a kind of stateful component:
 *
 *     const Card = defineComponent("card", {
 *       render(card, id) { return html`<div id="card-${id}">${card.title}</div>`; },
 *       handleEvent(card, event) { ... },   // optional
 *     });
 *
 * The name identifies the kind in snapshots: it must be unique within the view.
 */
export function defineComponent(name, definition) {
  if (typeof name !== "string" || name === "") {
    throw new TypeError("defineComponent(name, definition): name must be a non-empty string");
  }
  if (definition === null || typeof definition !== "object" || typeof definition.render !== "function") {
    throw new TypeError(`defineComponent(${JSON.stringify(name)}): the definition needs render(state, id)`);
  }
  if (types.has(name) && types.get(name).definition !== definition) {
    throw new TypeError(`defineComponent: a component named ${JSON.stringify(name)} is already defined`);
  }
  const type = types.get(name) ?? new ComponentType(name, definition);
  types.set(name, type);
  return type;
}

/** The component kind named `name`, if defined. */
export function componentType(name) {
  return types.get(name);
}

function checkId(id) {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    throw new TypeError(`a component id is an integer from 0 to 2^32-1, not ${String(id)}`);
  }
  return id;
}

/** A placed component: what `Components#place` returns, for a template slot. */
export class PlacedComponent {
  constructor(collection, id) {
    this.collection = collection;
    this.id = id;
  }
}

/**
 * The stateful components of one kind, by id. Keep it in the view's state; `place(id)` puts a
 * component in a template. Every placed component is rendered with every render of the view
 * (the host sends the browser only what changed).
 *
 * Ids are the view's: unique across all of the view's collections, integers from 0 to 2^32-1.
 */
export class Components {
  constructor(type) {
    if (!(type instanceof ComponentType)) {
      throw new TypeError("new Components(type): type comes from defineComponent");
    }
    this.type = type;
    this.items = new Map();
  }

  insert(id, state) {
    this.items.set(checkId(id), state);
    return this;
  }

  remove(id) {
    const state = this.items.get(id);
    this.items.delete(id);
    return state;
  }

  get(id) {
    return this.items.get(id);
  }

  has(id) {
    return this.items.has(id);
  }

  get size() {
    return this.items.size;
  }

  ids() {
    return [...this.items.keys()];
  }

  entries() {
    return [...this.items.entries()];
  }

  /** The component `id` for a template slot; an id this collection does not hold places nothing. */
  place(id) {
    return new PlacedComponent(this, id);
  }

  /** The event `event` aimed at component `id`. */
  handleEvent(id, event) {
    const handle = this.type.definition.handleEvent;
    if (typeof handle !== "function") throw event.unknown();
    return handle.call(this.type.definition, this.items.get(id), event);
  }

  /** Snapshot form: `{"$components": kind, "items": {id: state}}`. */
  toJSON() {
    const items = {};
    for (const [id, state] of this.items) items[String(id)] = state;
    return { $components: this.type.name, items };
  }

  /** The collection saved by `toJSON`. */
  static fromJSON(json) {
    const type = types.get(json.$components);
    if (type === undefined) {
      throw new TypeError(`the snapshot holds components of kind ${JSON.stringify(json.$components)}, which this view does not define`);
    }
    const collection = new Components(type);
    const items = json.items ?? {};
    if (typeof items !== "object" || Array.isArray(items)) {
      throw new TypeError("the snapshot's components are not an object of id to state");
    }
    for (const [key, state] of Object.entries(items)) {
      const id = Number(key);
      if (String(id) !== key) throw new TypeError(`the snapshot has a component id ${JSON.stringify(key)}`);
      collection.insert(id, state);
    }
    return collection;
  }
}

/** Every `Components` collection reachable from `state` through objects, arrays and maps. */
export function collectionsIn(state) {
  const found = [];
  const seen = new Set();
  const walk = (value) => {
    if (value === null || typeof value !== "object" || seen.has(value)) return;
    seen.add(value);
    if (value instanceof Components) {
      found.push(value);
      for (const child of value.items.values()) walk(child);
    } else if (Array.isArray(value)) {
      for (const child of value) walk(child);
    } else if (value instanceof Map) {
      for (const child of value.values()) walk(child);
    } else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
      for (const child of Object.values(value)) walk(child);
    }
  };
  walk(state);
  return found;
}
