/**
 * Reading and writing one candle file. Writes go through src/persistence/atomic-write.ts (temp file in the same
 * folder, fsync, rename, fsync of the folder) without a .bak: a damaged candle file is re-fetched from the exchange,
 * so a second copy would only double the disk use. A damaged one is moved aside by src/persistence/move-aside.ts.
 */
import { promises as fs } from 'node:fs';
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

/** Only the header (one small read), checked; null when there is no file. Throws CandleFileError when damaged. */
export async function readCandleHeader(file: string): Promise<CandleHeader | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
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
