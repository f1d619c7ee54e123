import assert from "node:assert/strict";
import { zipSync } from "fflate";
import { crc32, readZipDirectory, readZipEntry } from "./zip.ts";

const enc = new TextEncoder();
const FILES = {
  "a/data.pkl": enc.encode("hello pickle"),
  "a/data/0": new Uint8Array(1000).map((_, i) => i % 7),
  "a/empty": new Uint8Array(0),
  // Large enough to span many inflate steps; bytes vary so it does not compress to nothing.
  "a/data/1": new Uint8Array(300_000).map((_, i) => (i * 2654435761) >>> 27),
};

function readAll(zip: Uint8Array): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [k, e] of readZipDirectory(zip, "z.zip")) out[k] = readZipEntry(zip, e, "z.zip");
  return out;
}

Deno.test("crc32 matches the standard check value", () => {
  assert.equal(crc32(enc.encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

Deno.test("stored and deflated entries read back exactly", () => {
  for (const level of [0, 6] as const) {
    const zip = zipSync(FILES, { level });
    const methods = [...readZipDirectory(zip, "z.zip").values()].map((e) => e.method);
    if (level === 0) assert.ok(methods.every((m) => m === 0));
    else assert.ok(methods.includes(8));
    assert.deepEqual(readAll(zip), FILES);
  }
});

/** Rewrites every central entry to carry its sizes and offset in a zip64 extra field. */
function toZip64Entries(zip: Uint8Array): Uint8Array {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  const count = v.getUint16(eocd + 10, true);
  const cdOffset = v.getUint32(eocd + 16, true);
  const parts: Uint8Array[] = [zip.subarray(0, cdOffset)];
  let p = cdOffset;
  let cdSize = 0;
  for (let i = 0; i < count; i++) {
    const nameLen = v.getUint16(p + 28, true);
    const fixed = zip.slice(p, p + 46 + nameLen);
    const fv = new DataView(fixed.buffer);
    const extra = new Uint8Array(28);
    const ev = new DataView(extra.buffer);
    ev.setUint16(0, 1, true);
    ev.setUint16(2, 24, true);
    ev.setBigUint64(4, BigInt(fv.getUint32(24, true)), true); // size
    ev.setBigUint64(12, BigInt(fv.getUint32(20, true)), true); // compressed size
    ev.setBigUint64(20, BigInt(fv.getUint32(42, true)), true); // local header offset
    for (const at of [20, 24, 42]) fv.setUint32(at, 0xffffffff, true);
    fv.setUint16(30, extra.length, true);
    parts.push(fixed, extra);
    cdSize += fixed.length + extra.length;
    p += 46 + nameLen + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  const end = zip.slice(eocd, eocd + 22);
  new DataView(end.buffer).setUint32(12, cdSize, true);
  parts.push(end);
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of parts) out.set(x, (at += x.length) - x.length);
  return out;
}

Deno.test("zip64 extra fields supply sizes and offsets", () => {
  const zip = toZip64Entries(zipSync(FILES, { level: 0 }));
  const dir = readZipDirectory(zip, "z.zip");
  assert.equal(dir.get("a/data/0")!.size, 1000);
  assert.deepEqual(readAll(zip), FILES);
});

function findCentral(zip: Uint8Array, name: string): number {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let i = 0; i + 46 < zip.length; i++) {
    if (v.getUint32(i, true) !== 0x02014b50) continue;
    const n = new TextDecoder().decode(zip.subarray(i + 46, i + 46 + v.getUint16(i + 28, true)));
    if (n === name) return i;
  }
  throw new Error(`no central entry ${name}`);
}

Deno.test("damaged archives fail with one-line errors naming the file", () => {
  const zip = zipSync(FILES, { level: 0 });
  const flipped = zip.slice();
  const entry = readZipDirectory(zip, "z.zip").get("a/data/0")!;
  flipped[entry.headerOffset + 30 + "a/data/0".length + 10] ^= 1;
  assert.throws(
    () => readAll(flipped),
    {
      message: "z.zip: corrupt zip archive: entry 'a/data/0' fails its CRC-32 check (file damaged)",
    },
  );
  assert.throws(
    () => readAll(zip.subarray(0, zip.length - 30)),
    /z.zip: .*end of central directory/,
  );
  // A deflated entry whose directory size is smaller than what the stream produces.
  const deflated = zipSync(FILES, { level: 6 });
  const e1 = readZipDirectory(deflated, "z.zip").get("a/data/1")!;
  const centralAt = findCentral(deflated, "a/data/1");
  new DataView(deflated.buffer).setUint32(centralAt + 24, e1.size - 1, true);
  assert.throws(
    () => readAll(deflated),
    /entry 'a\/data\/1' inflates past its declared 299999 bytes/,
  );
  const many = zip.slice();
  new DataView(many.buffer).setUint16(many.length - 22 + 10, 60000, true);
  assert.throws(() => readAll(many), /60000 entries cannot fit in a \d+-byte directory/);
});

/** A local header (stored unless `method` is 8) followed by `data`, as zip writes it. */
function local(name: string, data: Uint8Array, method = 0, size = data.length): Uint8Array {
  const n = enc.encode(name);
  const out = new Uint8Array(30 + n.length + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(4, 20, true);
  v.setUint16(8, method, true);
  v.setUint32(14, crc32(data), true);
  v.setUint32(18, data.length, true);
  v.setUint32(22, size, true);
  v.setUint16(26, n.length, true);
  out.set(n, 30);
  out.set(data, 30 + n.length);
  return out;
}

/** An archive of `parts` laid end to end, then a central directory of `central` as given. */
function handZip(
  parts: Uint8Array[],
  central: { name: string; at: number; data: Uint8Array; method?: number; size?: number }[],
): Uint8Array {
  const body = parts.reduce((n, p) => n + p.length, 0);
  const records = central.map((c) => {
    const n = enc.encode(c.name);
    const r = new Uint8Array(46 + n.length);
    const v = new DataView(r.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, 20, true);
    v.setUint16(6, 20, true);
    v.setUint16(10, c.method ?? 0, true);
    v.setUint32(16, crc32(c.data), true);
    v.setUint32(20, c.data.length, true);
    v.setUint32(24, c.size ?? c.data.length, true);
    v.setUint16(28, n.length, true);
    v.setUint32(42, c.at, true);
    r.set(n, 46);
    return r;
  });
  const cdSize = records.reduce((n, r) => n + r.length, 0);
  const eocd = new Uint8Array(22);
  const v = new DataView(eocd.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, central.length, true);
  v.setUint16(10, central.length, true);
  v.setUint32(12, cdSize, true);
  v.setUint32(16, body, true);
  const out = new Uint8Array(body + cdSize + 22);
  let at = 0;
  for (const p of [...parts, ...records, eocd]) out.set(p, (at += p.length) - p.length);
  return out;
}

/** Asserts the exact one-line message for an archive named z.zip. */
function refused(zip: Uint8Array, why: string) {
  assert.throws(() => readAll(zip), (err: Error) => {
    assert.equal(err.message, `z.zip: corrupt zip archive: ${why}`);
    assert.ok(!err.message.includes("\n"));
    return true;
  });
}

Deno.test("zip: entries that overlap or share data are refused before any is read", () => {
  const d = enc.encode("twelve bytes");
  // The hand-made writer itself gives readable archives.
  assert.deepEqual(readAll(handZip([local("a/x", d)], [{ name: "a/x", at: 0, data: d }])), {
    "a/x": d,
  });
  // Two directory entries naming the same local header and data.
  refused(
    handZip([local("a/x", d)], [{ name: "a/x", at: 0, data: d }, { name: "a/y", at: 0, data: d }]),
    "entries 'a/x' and 'a/y' overlap at byte 0 (expected each entry to own its bytes)",
  );
  // An entry hidden inside another entry's data (the overlapping-entry zip bomb).
  const inner = local("a/y", d);
  refused(
    handZip([local("a/x", inner)], [
      { name: "a/x", at: 0, data: inner },
      { name: "a/y", at: 33, data: d },
    ]),
    "entries 'a/x' and 'a/y' overlap at byte 33 (expected each entry to own its bytes)",
  );
  // The same name twice (JSON-like "last one wins" is not allowed either).
  const second = local("a/x", d);
  refused(
    handZip([local("a/x", d), second], [
      { name: "a/x", at: 0, data: d },
      { name: "a/x", at: 33 + d.length, data: d },
    ]),
    "entry 'a/x' appears twice (expected unique names)",
  );
  // Data running into the central directory.
  refused(
    handZip([local("a/x", d)], [{ name: "a/x", at: 0, data: new Uint8Array(d.length + 8) }]),
    "entry 'a/x' runs into the central directory (expected its data before it)",
  );
});

Deno.test("zip: inflation is bounded per entry and in total before anything is inflated", () => {
  // The data is not a deflate stream at all: reaching the inflater would fail differently.
  const junk = new Uint8Array(100).fill(0xff);
  refused(
    handZip([local("a/x", junk, 8, 200_000)], [{
      name: "a/x",
      at: 0,
      data: junk,
      method: 8,
      size: 200_000,
    }]),
    "entry 'a/x' declares 200000 bytes from 100 deflated (expected at most 1032x)",
  );
  // Each entry plausible for deflate on its own (64 KiB -> 60 MB < 1032x), too much together.
  const big = new Uint8Array(65536).fill(0xff);
  const at1 = 33 + big.length;
  const bomb = handZip([local("a/x", big, 8, 60e6), local("a/y", big, 8, 60e6)], [
    { name: "a/x", at: 0, data: big, method: 8, size: 60e6 },
    { name: "a/y", at: at1, data: big, method: 8, size: 60e6 },
  ]);
  refused(
    bomb,
    "its deflated entries declare 120000000 bytes in all (expected at most 67108864, " +
      "32x the file size)",
  );
});
