import type { View } from "./index.js";

export function escapeHtml(text: string): string;

export interface TestHost {
  title: string | null;
  events: { name: string; payload: unknown; beforePatch: boolean }[];
  navigation: { kind: "patch" | "navigate" | "redirect" | "redirect-external"; to: string; history?: "push" | "replace" } | null;
  flash: Map<string, string>;
  keyvalue: Map<string, string>;
  logs: [string, string][];
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
  info(message: unknown): TestView;
  render(): any;
  html(): string;
  snapshot(): string | null;
  restored(text: string): TestView;
}
export function testView(view: View<any>, options?: { host?: TestHost }): TestView;
