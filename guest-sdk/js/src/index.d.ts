// Types of the liveplug JavaScript SDK (see ../README.md).

/** A template instance: what `html` returns. */
export interface Html {
  readonly template: { readonly id: number; readonly statics: readonly string[] };
  readonly values: readonly unknown[];
}
export interface Raw { readonly markup: string }
export interface Attrs { readonly list: readonly { name: string; value: string | null }[] }
export interface Each<T> { readonly items: Iterable<T> }

/** Attribute values: `true` bare, `false`/`null`/`undefined` absent, the rest as strings. */
export type AttributeValue = string | number | bigint | boolean | null | undefined;

/** What a content slot takes. */
export type Renderable =
  | string | number | bigint | boolean | null | undefined
  | Html | Raw | Attrs | Each<any> | PlacedComponent | PlacedStream | readonly Renderable[];

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html;
export function raw(markup: string): Raw;
export function attrs(attributes: Record<string, AttributeValue>): Attrs;
export function each<T>(items: Iterable<T>, render: (item: T, index: number) => Renderable): Each<T>;
export function each<T>(
  items: Iterable<T>,
  key: (keyof T & string) | ((item: T, index: number) => string | number),
  render: (item: T, index: number) => Renderable,
): Each<T>;

export class TemplateError extends Error {}

export class ViewError extends Error {
  constructor(message: string);
}

export class Event<V = any> {
  readonly name: string;
  /** Decoded JSON: phx-value-* as strings, forms as nested objects, a hook's payload as sent. */
  readonly value: V;
  /** The component id the event targets, or null. */
  readonly target: number | null;
  /** The error for an event the handler does not know: `throw event.unknown()`. */
  unknown(): ViewError;
}

export interface MountContext {
  params: Record<string, any>;
  session: Record<string, any>;
  connected: boolean;
  connectParams: Record<string, any> | null;
}

/** Who is on a presence topic: `{ [key]: { metas: [{ ...meta, phx_ref }] } }`. */
export type PresenceList<M = Record<string, any>> = Record<string, { metas: (M & { phx_ref: string })[] }>;

/** What handleInfo receives, its JSON already decoded. */
export type Message<P = any, M = Record<string, any>> =
  /** From `timers.sendSelf`, `sendAfter` or `interval`: the payload given there. */
  | { kind: "sent"; payload: P }
  /** From `pubsub.broadcast` on a subscribed topic, by this or another session. */
  | { kind: "broadcast"; topic: string; payload: P }
  /** Who arrived on (`joins`) and left (`leaves`) a subscribed presence topic: only the metas that changed. */
  | { kind: "presence"; topic: string; joins: PresenceList<M>; leaves: PresenceList<M> };

export interface SnapshotOptions<S> {
  version?: number;
  migrate?(fromVersion: number, saved: any): any;
  save?(state: S): unknown;
  load?(saved: any): S;
}

export interface ViewDefinition<S> {
  state?(): S;
  mount?(state: S, ctx: MountContext): void;
  handleParams?(state: S, url: string, params: Record<string, any>): void;
  /** Returns a reply (JSON) for a hook's pushEvent, or nothing. */
  handleEvent?(state: S, event: Event): unknown;
  /** A message from a timer, a broadcast on a subscribed topic, or a presence change. */
  handleInfo?(state: S, message: Message): void;
  componentsDestroyed?(state: S, ids: number[]): void;
  render(state: S): Renderable;
  routes?: string[];
  liveSession?: string;
  snapshot?: SnapshotOptions<S> | boolean;
}

export interface View<S> { readonly render: (state: S) => Renderable }
export function defineView<S = Record<string, any>>(definition: ViewDefinition<S>): View<S>;

export interface ComponentDefinition<C> {
  /** One html`...` with a single root element. */
  render(state: C, id: number): Html;
  handleEvent?(state: C, event: Event): unknown;
}
export interface ComponentType<C> { readonly name: string }
export function defineComponent<C>(name: string, definition: ComponentDefinition<C>): ComponentType<C>;
export interface PlacedComponent { readonly id: number }

export class Components<C> {
  constructor(type: ComponentType<C>);
  insert(id: number, state: C): this;
  remove(id: number): C | undefined;
  get(id: number): C | undefined;
  has(id: number): boolean;
  readonly size: number;
  ids(): number[];
  entries(): [number, C][];
  place(id: number): PlacedComponent;
}

export interface PlacedStream {}
export interface InsertOptions {
  at?: "end" | "start" | number;
  /** Keep the first `limit` children when positive, the last `-limit` when negative. */
  limit?: number | null;
  updateOnly?: boolean;
}
export class Stream<T> {
  constructor(name: string, domId: (item: T) => string);
  readonly name: string;
  insert(item: T, options?: InsertOptions): this;
  update(item: T): this;
  delete(itemOrDomId: T | string): this;
  reset(items?: Iterable<T>): this;
  place(render: (item: T) => Html): PlacedStream;
}

type Level = "trace" | "debug" | "info" | "warn" | "error";
export declare const log: {
  log(level: Level, ...message: unknown[]): void;
  trace(...message: unknown[]): void;
  debug(...message: unknown[]): void;
  info(...message: unknown[]): void;
  warn(...message: unknown[]): void;
  error(...message: unknown[]): void;
};
export declare const page: {
  setTitle(title: string): void;
  pushEvent(name: string, payload?: unknown, options?: { beforePatch?: boolean }): void;
};
export declare const navigation: {
  pushPatch(to: string, options?: { replace?: boolean }): void;
  pushNavigate(to: string, options?: { replace?: boolean }): void;
  redirect(path: string): void;
  redirectExternal(url: string): void;
};
export declare const flash: {
  put(kind: string, message: string): void;
  clear(kind: string): void;
  clearAll(): void;
  get(kind: string): string | undefined;
  all(): [string, string][];
};
export declare const keyvalue: {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): boolean;
  keys(prefix?: string): string[];
};

/** An Error for a host call refused with a reason: `"<call>: <reason>"`, the reason in `reason`. */
export interface HostError extends Error {
  readonly reason: string;
}

/**
 * A timer's id: the WIT `u64` as componentize-qjs maps it, a Number (the host counts from 1, so
 * it stays exact). It survives snapshots as part of the state; `timers.cancel` takes it.
 */
export type TimerId = number;

/** Topics shared by every session on every host; subscriptions belong to the session. */
export declare const pubsub: {
  /** Throws a HostError for an invalid topic or past the host's limit of topics. */
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** `payload` is written as JSON. Throws a HostError for an invalid topic, a payload too large, too many broadcasts. */
  broadcast(topic: string, payload?: unknown, options?: { excludeSelf?: boolean }): void;
};
/** Messages to this view, now or later; timers belong to the session. */
export declare const timers: {
  sendSelf(payload?: unknown): void;
  /** `ms`: an integer from 0 to 2^32-1. */
  sendAfter(payload: unknown, ms: number): TimerId;
  /** `ms`: at least 10. */
  interval(payload: unknown, ms: number): TimerId;
  /** Unknown or fired ids are ignored. */
  cancel(id: TimerId): void;
};
/** Who is on a topic, across hosts (Phoenix.Presence). */
export declare const presence: {
  /** Throws a HostError for an invalid topic or a meta too large. */
  track(topic: string, key: string, meta?: Record<string, unknown>): void;
  untrack(topic: string, key: string): void;
  list<M = Record<string, any>>(topic: string): PresenceList<M>;
};
