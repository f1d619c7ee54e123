/**
 * A bounds-checked zip reader for `torch.save` archives. fflate's own
 * `unzipSync` trusts every size and count in the file (a flipped byte can make it
 * loop for billions of entries or allocate gigabytes), so the directory is read
 * here, checked against the file's real length, and fflate only inflates the rare
 * deflated entry. Entries are verified against their CRC-32 when read.
 * @module
 */
import { quote } from "./quote.ts";
import { Inflate } from "fflate";

/** One file in the archive, as the central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Offset of the entry's local header. */
  headerOffset: number;
  /** Offset of the entry's (compressed) data, just after its local header. */
  dataOffset: number;
}

/** Deflate expands at most ~1032x; a larger declared size is a lie. */
const MAX_DEFLATE_RATIO = 1032;
/**
 * All deflated entries together may inflate to at most this many times the
 * archive's size (or {@link MIN_INFLATION_BOUND}, whichever is larger):
 * torch.save never deflates, so a real checkpoint is far inside it.
 */
export const MAX_INFLATION_RATIO = 32;
/** The floor of the total inflation bound, so small archives are not held to 32x a few bytes. */
export const MIN_INFLATION_BOUND = 64 << 20;

/** Thrown for any malformed archive; the message is one line and names the file. */
export class ZipError extends Error {}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_U32 = 0xffffffff;

/** Reads the central directory of a zip archive held in memory. */
export function readZipDirectory(bytes: Uint8Array, name: string): Map<string, ZipEntry> {
  const fail = (why: string): never => {
    throw new ZipError(`${name}: corrupt zip archive: ${why}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => {
    const v = view.getBigUint64(at, true);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
  };
  const inFile = (at: number, len: number) => at >= 0 && len >= 0 && at + len <= bytes.length;

  // The end-of-central-directory record is in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--) {
    if (u32(at) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) fail("end of central directory not found (truncated file?)");
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  // Zip64 (files over 4 GB, or torch's writer for large archives).
  if (eocd >= 20 && u32(eocd - 20) === EOCD64_LOCATOR) {
    const at = u64(eocd - 12);
    if (!inFile(at, 56) || u32(at) !== EOCD64) fail("zip64 end record is missing");
    count = u64(at + 32);
    cdSize = u64(at + 40);
    cdOffset = u64(at + 48);
  }
  if (!inFile(cdOffset, cdSize)) fail("central directory lies outside the file");
  // Each central entry takes at least 46 bytes: this bounds the loop below.
  if (count * 46 > cdSize) fail(`${count} entries cannot fit in a ${cdSize}-byte directory`);

  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder("utf-8");
  let p = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdEnd || u32(p) !== CENTRAL) fail(`central directory entry ${i} is damaged`);
    const method = u16(p + 10);
    const crc32 = u32(p + 16);
    let compressedSize = u32(p + 20);
    let size = u32(p + 24);
    const nameLen = u16(p + 28);
    const extraLen = u16(p + 30);
    const commentLen = u16(p + 32);
    let headerOffset = u32(p + 42);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdEnd) fail(`central directory entry ${i} runs past the directory`);
    const entryName = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // Zip64 extra field: 64-bit values for the fields that hold 0xFFFFFFFF, in this order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = u16(e);
      const len = u16(e + 2);
      if (e + 4 + len > extraEnd) fail(`extra field of ${quote(entryName)} is damaged`);
      if (id === 1) {
        let q = e + 4;
        const read = () => {
          if (q + 8 > e + 4 + len) fail(`zip64 field of ${quote(entryName)} is too short`);
          const v = u64(q);
          q += 8;
          return v;
        };
        if (size === MAX_U32) size = read();
        if (compressedSize === MAX_U32) compressedSize = read();
        if (headerOffset === MAX_U32) headerOffset = read();
      }
      e += 4 + len;
    }
    if (method !== 0 && method !== 8) {
      fail(`entry ${quote(entryName)} uses compression method ${method} (only stored and deflate)`);
    }
    const q = quote(entryName);
    if (!inFile(headerOffset, 30 + compressedSize)) fail(`entry ${q} lies outside the file`);
    if (u32(headerOffset) !== LOCAL) fail(`entry ${q} has no local header`);
    const dataOffset = headerOffset + 30 + u16(headerOffset + 26) + u16(headerOffset + 28);
    if (dataOffset + compressedSize > cdOffset) {
      fail(`entry ${q} runs into the central directory (expected its data before it)`);
    }
    if (method === 0 && size !== compressedSize) {
      fail(`stored entry ${q} has sizes ${compressedSize} and ${size}`);
    }
    if (method === 8 && size > compressedSize * MAX_DEFLATE_RATIO + 1024) {
      fail(
        `entry ${q} declares ${size} bytes from ${compressedSize} deflated ` +
          `(expected at most ${MAX_DEFLATE_RATIO}x)`,
      );
    }
    if (entries.has(entryName)) fail(`entry ${q} appears twice (expected unique names)`);
    entries.set(entryName, {
      name: entryName,
      method,
      compressedSize,
      size,
      crc32,
      headerOffset,
      dataOffset,
    });
    p = next;
  }
  checkDisjoint([...entries.values()], fail);
  // The whole archive's inflation is bounded before a single entry is inflated.
  let inflated = 0;
  for (const e of entries.values()) if (e.method === 8) inflated += e.size;
  const bound = Math.max(MAX_INFLATION_RATIO * bytes.length, MIN_INFLATION_BOUND);
  if (inflated > bound) {
    fail(
      `its deflated entries declare ${inflated} bytes in all (expected at most ${bound}, ` +
        `${MAX_INFLATION_RATIO}x the file size)`,
    );
  }
  return entries;
}

/**
 * Each entry (local header and data) must own its bytes: two entries that
 * overlap, or that point at the same data, are refused (the overlapping-entry
 * zip bomb inflates one compressed run many times over).
 */
function checkDisjoint(entries: ZipEntry[], fail: (why: string) => never): void {
  const sorted = [...entries].sort((a, b) => a.headerOffset - b.headerOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const end = prev.dataOffset + prev.compressedSize;
    if (sorted[i].headerOffset < end) {
      fail(
        `entries ${quote(prev.name)} and ${quote(sorted[i].name)} overlap at byte ` +
          `${sorted[i].headerOffset} (expected each entry to own its bytes)`,
      );
    }
  }
}

/** Returns an entry's bytes (a view into `bytes` when stored), checked against its CRC-32. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, name: string): Uint8Array {
  const fail = (why: string): never => {
    throw new ZipError(`${name}: corrupt zip archive: entry ${quote(entry.name)} ${why}`);
  };
  const start = entry.dataOffset;
  const end = start + entry.compressedSize;
  if (!(start >= 0 && end <= bytes.length)) fail("runs past the end of the file (truncated?)");
  let data = bytes.subarray(start, end);
  if (entry.method === 8) {
    // Checked again here for entries not made by readZipDirectory; the output is never
    // allowed past the declared size (so a crafted stream cannot balloon memory).
    if (entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      fail(`declares an impossible size`);
    }
    data = inflateBounded(data, entry.size, fail);
  }
  if (crc32(data) !== entry.crc32) fail("fails its CRC-32 check (file damaged)");
  return data;
}

function inflateBounded(data: Uint8Array, limit: number, fail: (why: string) => never) {
  const parts: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > limit) fail(`inflates past its declared ${limit} bytes`);
    parts.push(chunk);
  });
  const STEP = 1 << 14;
  try {
    for (let i = 0; i < data.length || i === 0; i += STEP) {
      inflater.push(data.subarray(i, i + STEP), i + STEP >= data.length);
    }
  } catch (err) {
    if (err instanceof ZipError) throw err;
    fail(`cannot be inflated (${err instanceof Error ? err.message : String(err)})`);
  }
  if (total !== limit) fail(`inflates to ${total} bytes, directory says ${limit}`);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zip uses it). */
export function crc32(data: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  const t = CRC_TABLE;
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
