import type { Message, TimerId, View } from "./index.js";

export function escapeHtml(text: string): string;

export interface TestHost {
  title: string | null;
  events: { name: string; payload: unknown; beforePatch: boolean }[];
  navigation: { kind: "patch" | "navigate" | "redirect" | "redirect-external"; to: string; history?: "push" | "replace" } | null;
  flash: Map<string, string>;
  keyvalue: Map<string, string>;
  logs: [string, string][];
  /** The topics this session subscribes to. */
  subscriptions: Set<string>;
  /** Every broadcast sent, its payload decoded. */
  broadcasts: { topic: string; payload: unknown; excludeSelf: boolean }[];
  /** The live timers (a fired `sendAfter` and a cancelled timer are gone); `due` on the `now` clock. */
  timers: Map<TimerId, { id: TimerId; payload: unknown; ms: number; repeat: boolean; due: number }>;
  /** Ids passed to `timers.cancel`, in order. */
  cancelled: TimerId[];
  /** topic -> key -> metas (each with its `phx_ref`); seed it, or use `join`. */
  presence: Map<string, Map<string, Record<string, any>[]>>;
  /** Messages queued for this view's handleInfo; the driver's `deliver` and `advance` deliver them. */
  inbox: Message[];
  /** The stand-in's clock, in ms. */
  now: number;
  /** A call ("pubsub.subscribe", "pubsub.broadcast", "timers.sendSelf", "timers.sendAfter", "timers.interval", "presence.track") -> the reason the host refuses it with. */
  failures: Map<string, string>;
  /** Another session broadcasts on `topic` (queued when this session subscribes to it). */
  publish(topic: string, payload: unknown): void;
  /** Another session tracks `key` on `topic`; returns its `phx_ref`. */
  join(topic: string, key: string, meta?: Record<string, unknown>): string;
  /** Another session's meta (by ref, or every meta of the key) leaves `topic`. */
  leave(topic: string, key: string, ref?: string): void;
}
export function testHost(options?: { keyvalueLimit?: number }): TestHost;

export class PartsError extends Error {}
export class PartsReader {
  read(parts: unknown): string;
}

export interface TestView {
  readonly host: TestHost;
  readonly exports: Record<string, Record<string, (...args: any[]) => any>>;
  lastHtml?: string;
  mount(ctx?: { params?: object; session?: object; connected?: boolean; connectParams?: object | null }): TestView;
  params(url: string, params?: object): TestView;
  event(name: string, value?: unknown, target?: number | null): unknown;
  /** Delivers one message to handleInfo. */
  info(message: Message): TestView;
  /** Delivers what `host.inbox` holds (and what handling it queues); returns how many. */
  deliver(options?: { limit?: number }): number;
  /** Moves `host.now` forward `ms`, firing due timers in order; returns the messages delivered. */
  advance(ms: number): number;
  render(): any;
  html(): string;
  snapshot(): string | null;
  restored(text: string): TestView;
}
export function testView(view: View<any>, options?: { host?: TestHost }): TestView;

/** A message in handleInfo's shape as the WIT `message` variant the component receives. */
export function toWitMessage(message: Message): { tag: "sent"; val: string } | { tag: "broadcast"; val: { topic: string; payload: string } } | { tag: "presence"; val: { topic: string; joins: string; leaves: string } };
