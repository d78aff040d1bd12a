// Snapshots: the view's state as JSON in a versioned envelope, `{"v":1,"state":{...}}`, so the
// host can hibernate an idle session and carry it across a hot swap.

import { Components } from "./component.js";

/** Raised for a snapshot that cannot be restored; the host then mounts the view anew. */
export class SnapshotError extends Error {
  constructor(message) {
    super(message);
    this.name = "SnapshotError";
  }
}

/** The snapshot text of `state` at `version`. Throws when the state cannot be written as JSON. */
export function encode(state, version = 1) {
  const text = JSON.stringify({ v: version, state: state === undefined ? null : state });
  return text;
}

function revive(_key, value) {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && typeof value.$components === "string") {
    return Components.fromJSON(value);
  }
  return value;
}

/**
 * The state saved in `text` by `encode`, for a view now at `version`: a snapshot of another
 * version goes through `migrate(fromVersion, state)` first (without it, such a snapshot is
 * refused). Collections of components come back as `Components`.
 */
export function decode(text, version = 1, migrate = undefined) {
  let envelope;
  try {
    envelope = JSON.parse(text, revive);
  } catch (error) {
    throw new SnapshotError(`invalid snapshot: ${error.message}`);
  }
  if (envelope === null || typeof envelope !== "object" || Array.isArray(envelope)) {
    throw new SnapshotError("invalid snapshot: not an object");
  }
  const keys = Object.keys(envelope).sort().join(",");
  if (keys !== "state,v") {
    throw new SnapshotError(`invalid snapshot: expected the fields v and state, found ${keys || "none"}`);
  }
  const { v, state } = envelope;
  if (!Number.isInteger(v) || v < 0) throw new SnapshotError(`invalid snapshot: version ${JSON.stringify(v)}`);
  if (v === version) return state;
  if (typeof migrate !== "function") {
    throw new SnapshotError(
      `cannot restore a version ${v} snapshot into version ${version}: this view does not migrate snapshots (define snapshot.migrate)`,
    );
  }
  try {
    return migrate(v, state);
  } catch (error) {
    throw new SnapshotError(
      `cannot restore a version ${v} snapshot into version ${version}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The restored state: the fields of `saved` over a fresh initial state, so fields added since
 * the snapshot (and streams, which snapshots leave out) take their initial values.
 */
export function merge(initial, saved) {
  const plain = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
  if (plain(initial) && plain(saved)) return Object.assign(initial, saved);
  return saved;
}
