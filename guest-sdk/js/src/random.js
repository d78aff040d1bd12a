// Math.random and crypto.getRandomValues for the component. componentize-qjs snapshots the
// initialized engine at build time, Math.random's state with it, so every instance of a
// component would draw the same sequence. `installRandom` replaces Math.random with xoshiro128**
// seeded, on its first call (at run time, never during the build's snapshot), from the host's
// wasi:random; crypto.getRandomValues and crypto.randomUUID read wasi:random directly.

/** A xoshiro128** generator over a 16-byte seed: `next()` returns a u32. */
export function xoshiro128(seed) {
  let a = (seed[0] | (seed[1] << 8) | (seed[2] << 16) | (seed[3] << 24)) >>> 0;
  let b = (seed[4] | (seed[5] << 8) | (seed[6] << 16) | (seed[7] << 24)) >>> 0;
  let c = (seed[8] | (seed[9] << 8) | (seed[10] << 16) | (seed[11] << 24)) >>> 0;
  let d = (seed[12] | (seed[13] << 8) | (seed[14] << 16) | (seed[15] << 24)) >>> 0;
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is a fixed point
  return function next() {
    const result = (Math.imul(rotl(Math.imul(b, 5), 7), 9)) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
}

function rotl(x, k) {
  return (x << k) | (x >>> (32 - k));
}

/** A Math.random from a u32 source: 53 random bits in [0, 1). */
export function floatFrom(next) {
  return () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
}

/** Installs Math.random (seeded lazily from `bytes(16)`) and, when absent, crypto. */
export function installRandom(global, bytes) {
  let random = null;
  global.Math.random = function random_() {
    if (random === null) random = floatFrom(xoshiro128(bytes(16)));
    return random();
  };
  if (global.crypto === undefined) {
    const crypto = {
      getRandomValues(array) {
        if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array) {
          throw new TypeError("crypto.getRandomValues takes an integer typed array");
        }
        if (array.byteLength > 65536) throw new RangeError("crypto.getRandomValues: at most 65536 bytes");
        const source = bytes(array.byteLength);
        new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(source);
        return array;
      },
      randomUUID() {
        const b = Uint8Array.from(bytes(16));
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      },
    };
    global.crypto = crypto;
  }
}
