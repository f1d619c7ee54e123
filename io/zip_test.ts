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
