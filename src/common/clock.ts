/**
 * One source of time for the whole service, so that the paper exchange and the tests
 * can run faster than real time. Inject `Clock`; never call Date.now() in trading code.
 */
export abstract class Clock {
  abstract now(): number;
  /** Real milliseconds to wait for `simulatedMs` of clock time (used to scale worker intervals). */
  realDelay(simulatedMs: number): number {
    return simulatedMs;
  }
}

/** Wall-clock time, optionally accelerated: `scale` simulated ms pass per real ms. */
export class SystemClock extends Clock {
  private readonly startReal = Date.now();
  constructor(
    private readonly scale = 1,
    private readonly startAt = Date.now(),
  ) {
    super();
  }
  now(): number {
    return Math.floor(this.startAt + (Date.now() - this.startReal) * this.scale);
  }
  override realDelay(simulatedMs: number): number {
    return simulatedMs / this.scale;
  }
}

/** A clock the caller moves by hand (tests, benchmarks). */
export class ManualClock extends Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {
    super();
  }
  now(): number {
    return this.current;
  }
  set(time: number): void {
    this.current = time;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** The last few isoLocal answers: a replay formats the same few times over and over (every open position's marks). */
const ISO_MEMO_SIZE = 8;
const isoMemoMs = new Float64Array(ISO_MEMO_SIZE).fill(NaN);
const isoMemoText: string[] = new Array<string>(ISO_MEMO_SIZE).fill('');
let isoMemoNext = 0;

/** ISO-8601 local time without offset, as the original service printed it. */
export function isoLocal(ms: number): string {
  for (let k = 0; k < ISO_MEMO_SIZE; k++) if (isoMemoMs[k] === ms) return isoMemoText[k];
  const text = formatIsoLocal(ms);
  isoMemoMs[isoMemoNext] = ms;
  isoMemoText[isoMemoNext] = text;
  isoMemoNext = (isoMemoNext + 1) % ISO_MEMO_SIZE;
  return text;
}

function formatIsoLocal(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
