/**
 * The candle file format (docs/candle-store.md): a 96-byte header, then six Float64 columns
 * (time, open, high, low, close, volume), little-endian, oldest candle first.
 *
 * Pure functions, no I/O: encode builds the whole file in one Buffer, decode checks everything a damaged
 * or foreign file could get wrong and answers typed-array views over the buffer it was given (no copy).
 */
import { crc32 } from 'node:zlib';
import type { CandleColumns, Timeframe } from '../exchange/exchange.types';
import { emptyColumns, isTimeframe } from '../exchange/exchange.types';

export const CANDLE_FILE_MAGIC = 'BOTSCNDL';
export const CANDLE_FILE_VERSION = 1;
export const CANDLE_HEADER_BYTES = 96;
export const CANDLE_COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
/** Bytes one candle takes: six Float64 values. */
export const CANDLE_BYTES = CANDLE_COLUMNS.length * 8;
const SYMBOL_BYTES = 32;
const TIMEFRAME_BYTES = 4;

// Header layout (byte offsets). Everything little-endian.
const OFF_MAGIC = 0; // 8 ASCII bytes
const OFF_VERSION = 8; // u16
const OFF_HEADER_BYTES = 10; // u16
const OFF_COLUMN_COUNT = 12; // u16
const OFF_TIMEFRAME = 16; // 4 ASCII bytes, NUL-padded
const OFF_COUNT = 20; // u32
const OFF_FIRST = 24; // f64 open time of the first candle (NaN when empty)
const OFF_LAST = 32; // f64 open time of the last candle (NaN when empty)
const OFF_COVERED_FROM = 40; // f64
const OFF_COVERED_TO = 48; // f64
const OFF_PAYLOAD_CRC = 56; // u32 CRC32 of everything after the header
const OFF_SYMBOL = 60; // 32 ASCII bytes, NUL-padded
const OFF_HEADER_CRC = 92; // u32 CRC32 of header bytes 0..91

/**
 * What a file knows: its candles, and the span [coveredFrom, coveredTo) the exchange was asked about.
 * Inside that span a missing candle means the exchange has none (before the listing, a gap); outside it
 * nothing is known yet, so that is what a fill fetches.
 */
export interface CandleSeries {
  symbol: string;
  timeframe: Timeframe;
  coveredFrom: number;
  coveredTo: number;
  columns: CandleColumns;
}

export class CandleFileError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CandleFileError';
  }
}

/** Re-exported for the candle store and its specs; defined beside CandleColumns. */
export { emptyColumns };

/** Rows [start, end) of `columns` as views (no copy). */
export function sliceColumns(columns: CandleColumns, start: number, end: number): CandleColumns {
  const from = Math.max(0, Math.min(start, columns.length));
  const to = Math.max(from, Math.min(end, columns.length));
  return {
    length: to - from,
    time: columns.time.subarray(from, to),
    open: columns.open.subarray(from, to),
    high: columns.high.subarray(from, to),
    low: columns.low.subarray(from, to),
    close: columns.close.subarray(from, to),
    volume: columns.volume.subarray(from, to),
  };
}

/** Index of the first candle with time >= t (binary search; times ascend). */
export function lowerBound(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function writeAscii(buffer: Buffer, offset: number, width: number, text: string, field: string): void {
  if (!/^[\x20-\x7e]*$/.test(text) || text.length > width) {
    throw new CandleFileError(`${field} "${text}" does not fit the header`);
  }
  buffer.fill(0, offset, offset + width);
  buffer.write(text, offset, 'latin1');
}

function readAscii(buffer: Buffer, offset: number, width: number): string {
  const raw = buffer.toString('latin1', offset, offset + width);
  const end = raw.indexOf('\0');
  return end < 0 ? raw : raw.slice(0, end);
}

/**
 * The file for `series`, whose candles are the concatenation of `parts` (each ascending; together strictly
 * ascending): a fill passes the stored columns and the new pages, so they are copied once, into the file.
 */
export function encodeCandles(series: Omit<CandleSeries, 'columns'>, parts: readonly CandleColumns[]): Buffer {
  if (!isLittleEndian()) throw new CandleFileError('candle files are little-endian; this host is not');
  const count = parts.reduce((sum, part) => sum + part.length, 0);
  if (count > 0xffffffff) throw new CandleFileError(`too many candles (${count})`);
  const buffer = Buffer.alloc(CANDLE_HEADER_BYTES + count * CANDLE_BYTES);
  // Buffer.alloc of this size is never a slice of the shared pool, so the payload is 8-byte aligned.
  const payload = new Float64Array(
    buffer.buffer,
    buffer.byteOffset + CANDLE_HEADER_BYTES,
    count * CANDLE_COLUMNS.length,
  );
  let previous = -Infinity;
  let row = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const t = part.time[i];
      if (!(t > previous)) throw new CandleFileError(`candle times must ascend strictly (${t} after ${previous})`);
      previous = t;
    }
    CANDLE_COLUMNS.forEach((name, c) => payload.set(part[name].subarray(0, part.length), c * count + row));
    row += part.length;
  }
  buffer.write(CANDLE_FILE_MAGIC, OFF_MAGIC, 'latin1');
  buffer.writeUInt16LE(CANDLE_FILE_VERSION, OFF_VERSION);
  buffer.writeUInt16LE(CANDLE_HEADER_BYTES, OFF_HEADER_BYTES);
  buffer.writeUInt16LE(CANDLE_COLUMNS.length, OFF_COLUMN_COUNT);
  writeAscii(buffer, OFF_TIMEFRAME, TIMEFRAME_BYTES, series.timeframe, 'timeframe');
  buffer.writeUInt32LE(count, OFF_COUNT);
  buffer.writeDoubleLE(count > 0 ? payload[0] : NaN, OFF_FIRST);
  buffer.writeDoubleLE(count > 0 ? payload[count - 1] : NaN, OFF_LAST);
  buffer.writeDoubleLE(series.coveredFrom, OFF_COVERED_FROM);
  buffer.writeDoubleLE(series.coveredTo, OFF_COVERED_TO);
  writeAscii(buffer, OFF_SYMBOL, SYMBOL_BYTES, series.symbol, 'symbol');
  buffer.writeUInt32LE(crc32(buffer.subarray(CANDLE_HEADER_BYTES)), OFF_PAYLOAD_CRC);
  buffer.writeUInt32LE(crc32(buffer.subarray(0, OFF_HEADER_CRC)), OFF_HEADER_CRC);
  return buffer;
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
}

export interface CandleHeader {
  symbol: string;
  timeframe: Timeframe;
  count: number;
  first: number;
  last: number;
  coveredFrom: number;
  coveredTo: number;
}

/** Header fields, checked (magic, version, layout, header CRC, coverage); the payload is not read. */
export function decodeHeader(buffer: Buffer): CandleHeader {
  if (buffer.length < CANDLE_HEADER_BYTES) {
    throw new CandleFileError(`file too short for a header (${buffer.length} bytes)`);
  }
  if (buffer.toString('latin1', OFF_MAGIC, OFF_MAGIC + 8) !== CANDLE_FILE_MAGIC) {
    throw new CandleFileError('bad magic (not a candle file)');
  }
  const version = buffer.readUInt16LE(OFF_VERSION);
  if (version !== CANDLE_FILE_VERSION) throw new CandleFileError(`unsupported version ${version}`);
  if (
    buffer.readUInt16LE(OFF_HEADER_BYTES) !== CANDLE_HEADER_BYTES ||
    buffer.readUInt16LE(OFF_COLUMN_COUNT) !== CANDLE_COLUMNS.length
  ) {
    throw new CandleFileError('unexpected header layout');
  }
  if (buffer.readUInt32LE(OFF_HEADER_CRC) !== crc32(buffer.subarray(0, OFF_HEADER_CRC))) {
    throw new CandleFileError('header CRC mismatch');
  }
  const timeframe = readAscii(buffer, OFF_TIMEFRAME, TIMEFRAME_BYTES);
  if (!isTimeframe(timeframe)) throw new CandleFileError(`unknown timeframe "${timeframe}"`);
  const header: CandleHeader = {
    symbol: readAscii(buffer, OFF_SYMBOL, SYMBOL_BYTES),
    timeframe,
    count: buffer.readUInt32LE(OFF_COUNT),
    first: buffer.readDoubleLE(OFF_FIRST),
    last: buffer.readDoubleLE(OFF_LAST),
    coveredFrom: buffer.readDoubleLE(OFF_COVERED_FROM),
    coveredTo: buffer.readDoubleLE(OFF_COVERED_TO),
  };
  if (!(
    Number.isFinite(header.coveredFrom) &&
    Number.isFinite(header.coveredTo) &&
    header.coveredFrom <= header.coveredTo
  )) {
    throw new CandleFileError('bad covered range');
  }
  if (
    header.count > 0 &&
    !(header.coveredFrom <= header.first && header.first <= header.last && header.last < header.coveredTo)
  ) {
    throw new CandleFileError('candles outside the covered range');
  }
  return header;
}

/**
 * The series in `buffer`, checked: header (see decodeHeader), exact length, payload CRC, times finite and strictly
 * ascending and equal to the header's first/last. Throws CandleFileError naming the first problem found. The
 * columns are views over `buffer` when it is 8-byte aligned, else over one copy.
 */
export function decodeCandles(buffer: Buffer, expected?: { symbol: string; timeframe: Timeframe }): CandleSeries {
  if (!isLittleEndian()) throw new CandleFileError('candle files are little-endian; this host is not');
  const header = decodeHeader(buffer);
  if (expected && (header.symbol !== expected.symbol || header.timeframe !== expected.timeframe)) {
    throw new CandleFileError(
      `file holds ${header.symbol} ${header.timeframe}, expected ${expected.symbol} ${expected.timeframe}`,
    );
  }
  const size = CANDLE_HEADER_BYTES + header.count * CANDLE_BYTES;
  if (buffer.length !== size) {
    throw new CandleFileError(`length ${buffer.length} bytes, header says ${size} (truncated or padded)`);
  }
  if (buffer.readUInt32LE(OFF_PAYLOAD_CRC) !== crc32(buffer.subarray(CANDLE_HEADER_BYTES))) {
    throw new CandleFileError('payload CRC mismatch');
  }
  let source = buffer;
  // Small files are read into Node's shared pool, at any offset: Float64Array views need 8-byte alignment.
  if ((buffer.byteOffset + CANDLE_HEADER_BYTES) % 8 !== 0) {
    source = Buffer.from(buffer);
  }
  const n = header.count;
  const column = (c: number) => new Float64Array(source.buffer, source.byteOffset + CANDLE_HEADER_BYTES + c * n * 8, n);
  const columns: CandleColumns = {
    length: n,
    time: column(0),
    open: column(1),
    high: column(2),
    low: column(3),
    close: column(4),
    volume: column(5),
  };
  const time = columns.time;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(time[i]) || (i > 0 && !(time[i] > time[i - 1]))) {
      throw new CandleFileError(`candle times not strictly ascending at row ${i}`);
    }
  }
  if (n > 0 && (time[0] !== header.first || time[n - 1] !== header.last)) {
    throw new CandleFileError('first/last time differ from the header');
  }
  return {
    symbol: header.symbol,
    timeframe: header.timeframe,
    coveredFrom: header.coveredFrom,
    coveredTo: header.coveredTo,
    columns,
  };
}
