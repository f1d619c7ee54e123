/**
 * Seeded fuzzing of the three binary readers (.pt, safetensors, .npy). Every
 * mutated file must either parse into consistent tensors or throw an Error whose
 * message is one line naming the file; never a raw RangeError/TypeError from a
 * typed array, never a hang. Mutations are both blind (truncation, bit flips,
 * random runs) and aimed at the length fields that drive allocations and loops.
 * HRM_FUZZ_SCALE=10 runs ten times as many cases; HRM_FUZZ_SEED picks the seed.
 */
import assert from "node:assert/strict";
import { unzipSync, zipSync } from "fflate";
import { parseTorchCheckpoint } from "./torch.ts";
import { encodeSafetensors, parseSafetensors } from "./safetensors.ts";
import { encodeNpy, parseNpy } from "./npy.ts";
import { type HostTensor, numel } from "./dtypes.ts";
import { buildPt, f32Bytes, stateDictPickle } from "./torch_testing.ts";

const SCALE = Number(Deno.env.get("HRM_FUZZ_SCALE") ?? "1");
const SEED = Number(Deno.env.get("HRM_FUZZ_SEED") ?? "20250626");
const CASE = new URL("../fixtures/hrm-reference/tiny-rope/", import.meta.url).pathname;

/** mulberry32: a tiny seeded PRNG, enough to pick mutations reproducibly. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] };
}
type Rng = ReturnType<typeof prng>;

/** Length-like values that break naive readers. */
const HUGE_U32 = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000, 0xfffffff0, 1 << 30];

function setU32(b: Uint8Array, at: number, v: number) {
  if (at >= 0 && at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
}

/** Blind mutations: truncate, flip bits, overwrite a run, insert or delete bytes. */
function mutateBlind(src: Uint8Array, r: Rng): Uint8Array {
  const b = src.slice();
  switch (r.int(5)) {
    case 0:
      return b.subarray(0, r.int(b.length));
    case 1:
      for (let k = 1 + r.int(4); k > 0; k--) b[r.int(b.length)] ^= 1 << r.int(8);
      return b;
    case 2: {
      const at = r.int(b.length);
      for (let i = at; i < Math.min(b.length, at + 1 + r.int(16)); i++) b[i] = r.int(256);
      return b;
    }
    case 3: {
      const at = r.int(b.length);
      const ins = Uint8Array.from({ length: 1 + r.int(8) }, () => r.int(256));
      const out = new Uint8Array(b.length + ins.length);
      out.set(b.subarray(0, at));
      out.set(ins, at);
      out.set(b.subarray(at), at + ins.length);
      return out;
    }
    default: {
      const n = Math.min(b.length, 1 + r.int(8));
      const at = r.int(b.length - n + 1);
      const out = new Uint8Array(b.length - n);
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + n), at);
      return out;
    }
  }
}

/** Offsets of every occurrence of a 4-byte little-endian signature. */
function findSig(b: Uint8Array, sig: number): number[] {
  const at: number[] = [];
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i + 4 <= b.length; i++) if (v.getUint32(i, true) === sig) at.push(i);
  return at;
}

/** Writes huge values into zip sizes, counts and offsets. */
function mutateZipHeaders(src: Uint8Array, r: Rng): Uint8Array {
  const b = src.slice();
  const local = findSig(b, 0x04034b50);
  const central = findSig(b, 0x02014b50);
  const eocd = findSig(b, 0x06054b50);
  const huge = r.next() < 0.5 ? r.pick(HUGE_U32) : r.int(2 * b.length);
  const pick = r.int(3);
  if (pick === 0 && local.length) {
    const h = r.pick(local);
    if (r.next() < 0.5) setU32(b, h + r.pick([18, 22]), huge);
    else new DataView(b.buffer).setUint16(h + r.pick([26, 28]), r.int(65536), true);
  } else if (pick === 1 && central.length) {
    // Now and then point an entry at another entry's header or data (shared, overlapping).
    const shared = local.length && r.next() < 0.3;
    const target = shared ? r.pick(local) + r.pick([0, 30, 40, 64]) : huge;
    setU32(b, r.pick(central) + (shared ? 42 : r.pick([20, 24, 42])), target);
  } else if (eocd.length) {
    const e = eocd[eocd.length - 1];
    if (r.next() < 0.5) new DataView(b.buffer).setUint16(e + r.pick([8, 10]), r.int(65536), true);
    else setU32(b, e + r.pick([12, 16]), huge);
  }
  return b;
}

/** Aims at the pickle's length prefixes and memo indices, then re-zips so the CRC holds. */
function mutatePickle(pkl: Uint8Array, r: Rng): Uint8Array {
  const b = pkl.slice();
  const ops = [0x58, 0x6a, 0x68, 0x72, 0x8c, 0x4b, 0x4d].flatMap((op) =>
    [...b.keys()].filter((i) => b[i] === op)
  );
  if (!ops.length || r.next() < 0.3) return mutateBlind(b, r);
  const at = r.pick(ops);
  if (b[at] === 0x58 || b[at] === 0x6a || b[at] === 0x72) {
    setU32(b, at + 1, r.next() < 0.6 ? r.pick(HUGE_U32) : r.int(b.length * 2));
  } else if (at + 1 < b.length) {
    b[at + 1] = r.int(256);
  }
  // Now and then splice in an opcode that reads a length or index.
  if (r.next() < 0.2) {
    const op = r.pick([0x6a, 0x58, 0x8d, 0x8b, 0x42, 0x95]);
    const ins = [op, ...Array.from({ length: 8 }, () => r.pick([0xff, 0x7f, 0, r.int(256)]))];
    const pos = r.int(b.length);
    return new Uint8Array([...b.subarray(0, pos), ...ins, ...b.subarray(pos)]);
  }
  return b;
}

function rezip(pt: Uint8Array, edit: (files: Record<string, Uint8Array>) => void): Uint8Array {
  const files = unzipSync(pt);
  edit(files);
  const prefix = Object.keys(files).find((k) => k.endsWith("/data.pkl"))!.slice(0, -8);
  const storages: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(files)) {
    if (k.startsWith(`${prefix}data/`)) storages[k.slice(prefix.length + 5)] = v;
  }
  return buildPt(files[`${prefix}data.pkl`], storages, { prefix: prefix.slice(0, -1) });
}

/** Runs one parse; returns "ok" or "error" and fails the test on anything unexplained. */
function check(
  what: string,
  name: string,
  parse: () => HostTensor[],
): "ok" | "error" {
  try {
    for (const t of parse()) assert.equal(t.data.length, numel(t.shape), `${what}: ${name}`);
    return "ok";
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    const e = err as Error;
    const ctx = `${what}: ${e?.constructor?.name}: ${e?.message}`;
    assert.ok(!(e instanceof RangeError) && !(e instanceof TypeError), ctx);
    assert.ok(e instanceof Error, ctx);
    assert.ok(e.message.startsWith(`${name}: `), ctx);
    assert.ok(!e.message.includes("\n"), ctx);
    // The readers wrap unexpected exceptions as "<file>: ... (<why>)"; reaching that
    // fallback means a check is missing, so the fuzzer treats it as a finding.
    assert.doesNotMatch(e.message, /^[^:]+: (not a valid [^:]+ file|corrupt checkpoint) \(/, ctx);
    return "error";
  }
}

function smallPt(): Uint8Array {
  const base = { storageType: "FloatStorage", storage: "0", storageNumel: 12 };
  const pkl = stateDictPickle([
    { ...base, key: "_orig_mod.a", offset: 0, shape: [3, 4], stride: [4, 1] },
    { ...base, key: "_orig_mod.t", offset: 1, shape: [2, 3], stride: [1, 4] },
    {
      key: "_orig_mod.h",
      storageType: "BFloat16Storage",
      storage: "1",
      storageNumel: 4,
      offset: 0,
      shape: [4],
      stride: [1],
    },
  ]);
  return buildPt(pkl, {
    "0": f32Bytes([...Array(12).keys()]),
    "1": new Uint8Array([0x80, 0x3f, 0x20, 0xc0, 0, 0, 1, 0]),
  });
}

/** A .npy file with the given header text and data bytes (version 1: u16 length, 2: u32). */
function npyWith(header: string, data: Uint8Array, version: 1 | 2): Uint8Array {
  const head = new TextEncoder().encode(header);
  const at = version === 1 ? 10 : 12;
  const out = new Uint8Array(at + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, head.length, true);
  else dv.setUint32(8, head.length, true);
  out.set(head, at);
  out.set(data, at + head.length);
  return out;
}

function tally(counts: Record<string, number>, key: string) {
  counts[key] = (counts[key] ?? 0) + 1;
}

Deno.test("fuzz: mutated .pt checkpoints load or fail cleanly", () => {
  const r = prng(SEED);
  const counts: Record<string, number> = {};
  const small = smallPt();
  const pkl = unzipSync(small)["archive/data.pkl"];
  // The same archive with deflated entries (torch never compresses, other zip tools might).
  const deflated = zipSync(unzipSync(small), { level: 6 });
  for (let i = 0; i < 1500 * SCALE; i++) {
    let bytes: Uint8Array;
    const kind = r.int(5);
    if (kind === 0) bytes = mutateBlind(small, r);
    else if (kind === 1) bytes = mutateZipHeaders(small, r);
    else if (kind === 2) {
      bytes = rezip(small, (f) => (f["archive/data.pkl"] = mutatePickle(pkl, r)));
    } else if (kind === 4) {
      bytes = r.next() < 0.5 ? mutateBlind(deflated, r) : mutateZipHeaders(deflated, r);
    } else {
      bytes = rezip(small, (f) => {
        const k = r.pick(["archive/data/0", "archive/data/1"]);
        f[k] = f[k].subarray(0, r.int(f[k].length));
      });
    }
    tally(
      counts,
      check(`pt case ${i} kind ${kind}`, "fuzz.pt", () => [
        ...parseTorchCheckpoint(bytes, "fuzz.pt").tensors.values(),
      ]),
    );
  }
  assert.ok(counts.ok > 0 && counts.error > 0, JSON.stringify(counts));
});

Deno.test("fuzz: mutated copies of the real HRM checkpoint load or fail cleanly", async () => {
  const r = prng(SEED + 1);
  const real = await Deno.readFile(`${CASE}checkpoint.pt`);
  const pkl = unzipSync(real, { filter: (f) => f.name.endsWith("data.pkl") })[
    "checkpoint/data.pkl"
  ];
  for (let i = 0; i < 60 * SCALE; i++) {
    const bytes = i % 3 === 0
      ? mutateZipHeaders(real, r)
      : i % 3 === 1
      ? mutateBlind(real, r)
      : rezip(real, (f) => (f["checkpoint/data.pkl"] = mutatePickle(pkl, r)));
    check(`real pt case ${i}`, "real.pt", () => [
      ...parseTorchCheckpoint(bytes, "real.pt").tensors.values(),
    ]);
  }
});

/**
 * Breaks the safetensors layout rules in a well-formed header: shifted or
 * shared offsets, duplicated keys (plain or escaped), non-string metadata
 * values, bytes added or removed at the end of the data.
 */
function mutateSafetensorsLayout(
  valid: Uint8Array,
  headerLen: number,
  headerText: string,
  r: Rng,
): Uint8Array {
  const header = JSON.parse(headerText) as Record<string, Record<string, unknown>>;
  const keys = Object.keys(header).filter((k) => k !== "__metadata__");
  let data = valid.subarray(8 + headerLen);
  let text: string;
  const pick = r.int(5);
  if (pick === 0) {
    const e = header[r.pick(keys)];
    const [b, end] = e.data_offsets as number[];
    const d = r.pick([-8, -4, -2, -1, 1, 2, 4, 8]);
    e.data_offsets = r.next() < 0.5 ? [b + d, end + d] : [b, end + d];
    text = JSON.stringify(header);
  } else if (pick === 1) {
    header[r.pick(keys)].data_offsets = header[r.pick(keys)].data_offsets;
    text = JSON.stringify(header);
  } else if (pick === 2) {
    const k = r.pick([...keys, "__metadata__"]);
    const spelt = r.next() < 0.5
      ? JSON.stringify(k)
      : `"\\u${k.charCodeAt(0).toString(16).padStart(4, "0")}${k.slice(1)}"`;
    text = JSON.stringify(header).slice(0, -1) + `,${spelt}:${JSON.stringify(header[k])}}`;
  } else if (pick === 3) {
    header.__metadata__ = { note: r.pick([1, null, ["x"], { a: "b" }, true]) as never };
    text = JSON.stringify(header);
  } else {
    const extra = r.int(9) - 4;
    data = extra >= 0
      ? new Uint8Array([...data, ...new Uint8Array(extra)])
      : data.subarray(0, data.length + extra);
    text = JSON.stringify(header);
  }
  const head = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

Deno.test("fuzz: mutated safetensors files load or fail cleanly", () => {
  const r = prng(SEED + 2);
  const counts: Record<string, number> = {};
  const valid = encodeSafetensors({
    a: { dtype: "f32", shape: [2, 3], data: new Float32Array(6).fill(1.5) },
    b: { dtype: "i64", shape: [2], data: new BigInt64Array([1n, -2n]) },
    c: { dtype: "bf16", shape: [], data: new Uint16Array([0x3f80]) },
    d: { dtype: "u8", shape: [0, 3], data: new Uint8Array(0) },
  }, { note: "fuzz" });
  const headerLen = Number(new DataView(valid.buffer).getBigUint64(0, true));
  const headerText = new TextDecoder().decode(valid.subarray(8, 8 + headerLen));
  for (let i = 0; i < 1500 * SCALE; i++) {
    let bytes: Uint8Array;
    const kind = r.int(4);
    if (kind === 0) bytes = mutateBlind(valid, r);
    else if (kind === 3) bytes = mutateSafetensorsLayout(valid, headerLen, headerText, r);
    else if (kind === 1) {
      bytes = valid.slice();
      const big = r.pick([1n << 63n, 1n << 32n, 0xffffffffffffffffn, BigInt(r.int(400))]);
      new DataView(bytes.buffer).setBigUint64(0, big, true);
    } else {
      // Replace one number or dtype of the JSON header and fix up the length.
      const tokens = [...headerText.matchAll(/\d+|"[A-Z0-9]+"/g)];
      const t = r.pick(tokens);
      const repl = r.pick([
        "18446744073709551615",
        "9007199254740993",
        "4294967296",
        "-1",
        "1e400",
        "0.5",
        '"constructor"',
        '"__proto__"',
        "[]",
        "null",
        String(r.int(100)),
      ]);
      const text = headerText.slice(0, t.index) + repl + headerText.slice(t.index! + t[0].length);
      const head = new TextEncoder().encode(text);
      bytes = new Uint8Array(8 + head.length + valid.length - 8 - headerLen);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(head.length), true);
      bytes.set(head, 8);
      bytes.set(valid.subarray(8 + headerLen), 8 + head.length);
    }
    tally(
      counts,
      check(`safetensors case ${i} kind ${kind}`, "fuzz.safetensors", () => {
        const tensors = [...parseSafetensors(bytes, "fuzz.safetensors").tensors.values()];
        // Whatever is accepted tiles its data section exactly.
        const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
        const covered = tensors.reduce((sum, t) => sum + t.data.byteLength, 0);
        assert.equal(covered, bytes.length - 8 - n, `safetensors case ${i}: data not tiled`);
        return tensors;
      }),
    );
  }
  assert.ok(counts.ok > 0 && counts.error > 0, JSON.stringify(counts));
});

Deno.test("fuzz: mutated .npy files load or fail cleanly", () => {
  const r = prng(SEED + 3);
  const counts: Record<string, number> = {};
  const samples = [
    encodeNpy({ dtype: "i32", shape: [3, 4], data: new Int32Array(12).fill(-3) }),
    encodeNpy({ dtype: "f64", shape: [5], data: new Float64Array(5).fill(0.25) }),
    encodeNpy({ dtype: "u8", shape: [], data: new Uint8Array([9]) }),
  ];
  // A version-2 file (u32 header length) built from the version-1 one.
  const v1 = samples[0];
  const hl = new DataView(v1.buffer).getUint16(8, true);
  const v2 = new Uint8Array(v1.length + 2);
  v2.set(v1.subarray(0, 8));
  v2[6] = 2;
  new DataView(v2.buffer).setUint32(8, hl, true);
  v2.set(v1.subarray(10), 12);
  samples.push(v2);
  for (let i = 0; i < 1500 * SCALE; i++) {
    const src = r.pick(samples);
    let bytes: Uint8Array;
    const kind = r.int(3);
    if (kind === 0) bytes = mutateBlind(src, r);
    else if (kind === 1) {
      bytes = src.slice();
      const dv = new DataView(bytes.buffer);
      if (bytes[6] === 1) dv.setUint16(8, r.pick([0xffff, 0, r.int(200)]), true);
      else dv.setUint32(8, r.pick([...HUGE_U32, r.int(200)]), true);
    } else {
      // A fresh header with hostile fields, over the sample's data bytes.
      const descr = r.pick(["<i4", "<f8", "|u1", "constructor", "__proto__", ">f4", "<U5", ""]);
      const shape = r.pick([
        "(99999999999999999999, 2)",
        "(4294967296, 4294967296)",
        "(0, 99999999999999)",
        "(-1,)",
        "(3, 4, 1, 1, 1, 1)",
        "(12,)",
        "(3, 4)",
        "()",
        "(1e3,)",
        "(3, 4",
      ]);
      const fortran = r.pick(["False", "True", "0"]);
      const header = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
      bytes = npyWith(header, src.subarray(src.length - r.int(64)), r.next() < 0.5 ? 1 : 2);
    }
    tally(
      counts,
      check(`npy case ${i} kind ${kind}`, "fuzz.npy", () => [parseNpy(bytes, "fuzz.npy")]),
    );
  }
  assert.ok(counts.ok > 0 && counts.error > 0, JSON.stringify(counts));
});
