/**
 * Reading and writing one candle file. Writes go through src/persistence/atomic-write.ts (temp file in the same
 * folder, fsync, rename, fsync of the folder) without a .bak: a damaged candle file is re-fetched from the exchange,
 * so a second copy would only double the disk use. A damaged one is moved aside by src/persistence/move-aside.ts.
 */
import { closeSync, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import * as path from 'node:path';
import { CANDLE_HEADER_BYTES, type CandleHeader, type CandleSeries, decodeCandles, decodeHeader } from './candle-codec';
import type { Timeframe } from '../exchange/exchange.types';
import { atomicWrite, tempWriterPid } from '../persistence/atomic-write';

/** Written like every data file (src/persistence/atomic-write.ts), with no .bak (see above). */
export function writeCandleFile(target: string, content: Buffer): Promise<void> {
  return atomicWrite(target, content);
}

/** The whole file, decoded and verified; null when there is no file. Throws CandleFileError when damaged. */
export async function readCandleFile(
  file: string,
  expected: { symbol: string; timeframe: Timeframe },
): Promise<CandleSeries | null> {
  let buffer: Buffer;
  try {
    buffer = await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return decodeCandles(buffer, expected);
}

/** A reusable read buffer for readCandleFileInto (grown when a file does not fit). */
export interface CandleReadScratch {
  buffer: Buffer;
}

/** The file opened for reading, or null when it does not exist (no candles stored yet). */
async function openIfExists(file: string): Promise<fs.FileHandle | null> {
  try {
    return await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Like readCandleFile, but reads into `scratch` instead of a new buffer per file: the columns returned are views over
 * the scratch, valid until the next read into it. For bulk loads that copy what they keep (a backtest job reads one
 * file per coin; a fresh buffer each is tens of MB of garbage, docs/whole-service-bench.md).
 */
export async function readCandleFileInto(
  file: string,
  expected: { symbol: string; timeframe: Timeframe },
  scratch: CandleReadScratch,
): Promise<CandleSeries | null> {
  const handle = await openIfExists(file);
  if (!handle) return null;
  try {
    const size = (await handle.stat()).size;
    // Its own ArrayBuffer at offset 0 (not the shared pool): the payload after the 96-byte header is 8-byte aligned.
    if (scratch.buffer.length < size) scratch.buffer = Buffer.allocUnsafeSlow(Math.ceil((size * 1.25) / 4096) * 4096);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(scratch.buffer, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return decodeCandles(scratch.buffer.subarray(0, read), expected);
  } finally {
    await handle.close();
  }
}

/**
 * readCandleFileInto with blocking calls, for a worker thread whose only job is reading (a backtest job): the reads
 * then run on that thread, at its priority, instead of four hops through libuv's shared pool per file
 * (docs/whole-service-bench.md, "Backtest and optimizer jobs"). Never on the main thread.
 */
export function readCandleFileIntoSync(
  file: string,
  expected: { symbol: string; timeframe: Timeframe },
  scratch: CandleReadScratch,
): CandleSeries | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    if (scratch.buffer.length < size) scratch.buffer = Buffer.allocUnsafeSlow(Math.ceil((size * 1.25) / 4096) * 4096);
    let read = 0;
    while (read < size) {
      const bytesRead = readSync(fd, scratch.buffer, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return decodeCandles(scratch.buffer.subarray(0, read), expected);
  } finally {
    closeSync(fd);
  }
}

/** Only the header (one small read), checked; null when there is no file. Throws CandleFileError when damaged. */
export async function readCandleHeader(file: string): Promise<CandleHeader | null> {
  const handle = await openIfExists(file);
  if (!handle) return null;
  try {
    const buffer = Buffer.alloc(CANDLE_HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CANDLE_HEADER_BYTES, 0);
    return decodeHeader(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files a killed fill left behind in `dir` (not those of a fill still running in another process). */
export async function removeStaleCandleTemps(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => {
    const pid = tempWriterPid(n);
    return pid !== null && pid !== process.pid && !isRunning(pid);
  });
  await Promise.all(stale.map((n) => fs.rm(path.join(dir, n), { force: true })));
}
