import { crc32 } from 'node:zlib';
import {
  CANDLE_BYTES,
  CANDLE_HEADER_BYTES,
  CandleFileError,
  decodeCandles,
  decodeHeader,
  emptyColumns,
  encodeCandles,
  lowerBound,
  sliceColumns,
} from './candle-codec';
import type { CandleColumns } from '../exchange/exchange.types';

const H6 = 6 * 3600_000;
const T0 = Date.UTC(2025, 0, 1);

function columns(n: number, start = T0): CandleColumns {
  const c = emptyColumns(n);
  for (let i = 0; i < n; i++) {
    c.time[i] = start + i * H6;
    c.open[i] = 100 + i + 0.123456789012;
    c.high[i] = 101 + i;
    c.low[i] = 99 + i;
    c.close[i] = 100.5 + i;
    c.volume[i] = 1e-9 * (i + 1) + 12345.6789;
  }
  return c;
}

const meta = { symbol: 'BTC', timeframe: '6h' as const, coveredFrom: T0, coveredTo: T0 + 10 * H6 };

describe('candle codec', () => {
  it('round-trips every value bit for bit, with the header fields', () => {
    const source = columns(10);
    const buffer = encodeCandles(meta, [source]);
    expect(buffer.length).toBe(CANDLE_HEADER_BYTES + 10 * CANDLE_BYTES);
    expect(buffer.length).toBe(96 + 480);
    const series = decodeCandles(buffer, { symbol: 'BTC', timeframe: '6h' });
    expect(series).toMatchObject({ symbol: 'BTC', timeframe: '6h', coveredFrom: T0, coveredTo: T0 + 10 * H6 });
    for (const name of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(Array.from(series.columns[name])).toEqual(Array.from(source[name]));
    }
    expect(decodeHeader(buffer)).toEqual({
      symbol: 'BTC',
      timeframe: '6h',
      count: 10,
      first: T0,
      last: T0 + 9 * H6,
      coveredFrom: T0,
      coveredTo: T0 + 10 * H6,
    });
  });

  it('concatenates parts in order and refuses times that do not ascend strictly', () => {
    const all = columns(10);
    const buffer = encodeCandles(meta, [sliceColumns(all, 0, 3), emptyColumns(), sliceColumns(all, 3, 10)]);
    expect(Array.from(decodeCandles(buffer).columns.close)).toEqual(Array.from(all.close));
    expect(() => encodeCandles(meta, [sliceColumns(all, 3, 10), sliceColumns(all, 0, 3)])).toThrow(CandleFileError);
    expect(() => encodeCandles(meta, [sliceColumns(all, 0, 3), sliceColumns(all, 2, 4)])).toThrow(/ascend strictly/);
  });

  it('stores an empty series (a range known to hold no candles)', () => {
    const series = decodeCandles(encodeCandles(meta, []));
    expect(series.columns.length).toBe(0);
    expect(series.coveredTo).toBe(meta.coveredTo);
  });

  it('detects a flipped byte anywhere: payload CRC, header CRC', () => {
    const buffer = encodeCandles(meta, [columns(10)]);
    const payloadFlip = Buffer.from(buffer);
    payloadFlip[CANDLE_HEADER_BYTES + 200] ^= 0x01;
    expect(() => decodeCandles(payloadFlip)).toThrow('payload CRC mismatch');
    const headerFlip = Buffer.from(buffer);
    headerFlip[30] ^= 0x10; // inside "first"
    expect(() => decodeCandles(headerFlip)).toThrow('header CRC mismatch');
  });

  it('detects a truncated or padded file, a foreign file and a file of another symbol or timeframe', () => {
    const buffer = encodeCandles(meta, [columns(10)]);
    expect(() => decodeCandles(buffer.subarray(0, buffer.length - 8))).toThrow(/length 568 bytes, header says 576/);
    expect(() => decodeCandles(buffer.subarray(0, 50))).toThrow(/too short/);
    expect(() => decodeCandles(Buffer.concat([buffer, Buffer.alloc(8)]))).toThrow(/truncated or padded/);
    expect(() => decodeCandles(Buffer.from('{"not":"a candle file"}'.padEnd(200)))).toThrow(
      'bad magic (not a candle file)',
    );
    expect(() => decodeCandles(buffer, { symbol: 'ETH', timeframe: '6h' })).toThrow(
      'file holds BTC 6h, expected ETH 6h',
    );
    expect(() => decodeCandles(buffer, { symbol: 'BTC', timeframe: '1h' })).toThrow(
      'file holds BTC 6h, expected BTC 1h',
    );
  });

  it('detects non-monotonic times even when the CRCs were recomputed', () => {
    // A writer bug (not a disk error): valid CRCs over bad content must still be refused.
    const good = encodeCandles(meta, [columns(10)]);
    const bad = Buffer.from(good);
    const view = new Float64Array(bad.buffer, bad.byteOffset + CANDLE_HEADER_BYTES, 10);
    view[5] = view[4];
    bad.writeUInt32LE(crc32(bad.subarray(CANDLE_HEADER_BYTES)), 56);
    bad.writeUInt32LE(crc32(bad.subarray(0, 92)), 92);
    expect(() => decodeCandles(bad)).toThrow('candle times not strictly ascending at row 5');
  });

  it('refuses a covered range that does not hold the candles', () => {
    expect(() => decodeCandles(encodeCandles({ ...meta, coveredTo: T0 + 9 * H6 }, [columns(10)]))).toThrow(
      'candles outside the covered range',
    );
  });

  it('decodes a buffer that is not 8-byte aligned (a copy) and answers views otherwise', () => {
    const buffer = encodeCandles(meta, [columns(10)]);
    const unaligned = Buffer.alloc(buffer.length + 3).subarray(3);
    buffer.copy(unaligned);
    expect(Array.from(decodeCandles(unaligned).columns.time)).toEqual(Array.from(columns(10).time));
    expect(decodeCandles(buffer).columns.time.buffer).toBe(buffer.buffer);
  });

  it('lowerBound finds the first time >= t', () => {
    const time = columns(5).time;
    expect(lowerBound(time, T0 - 1)).toBe(0);
    expect(lowerBound(time, T0)).toBe(0);
    expect(lowerBound(time, T0 + 1)).toBe(1);
    expect(lowerBound(time, T0 + 4 * H6)).toBe(4);
    expect(lowerBound(time, T0 + 5 * H6)).toBe(5);
  });
});
