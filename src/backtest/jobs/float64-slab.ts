/**
 * Values per block: 40 MB, above glibc's largest mmap threshold (32 MB on 64-bit; the threshold rises up to it
 * after large frees), so every block is mapped and unmapped whole and never fragments the thread's malloc arena.
 * Zero-filled blocks come from calloc over fresh mappings: pages never written cost no memory.
 */
export const SLAB_BLOCK_VALUES = 5 * 2 ** 20;

/**
 * Float64Array views carved from a few large blocks instead of one small allocation each. A backtest job keeps
 * 583 coins × 4 columns of ~1 450 candles: as 2 300 separate 12 KB arrays they land in the job thread's malloc
 * arena, which keeps the pages after the thread ends (+30–50 MB of RSS per job measured, growing over the first
 * jobs; docs/whole-service-bench.md, "Backtest and optimizer jobs").
 */
export class Float64Slab {
  private block = new Float64Array(0);
  private used = 0;

  constructor(private readonly blockLength = SLAB_BLOCK_VALUES) {}

  /** A zero-filled view of `length` values (its own block when longer than a block). */
  take(length: number): Float64Array {
    if (this.used + length > this.block.length) {
      this.block = new Float64Array(Math.max(this.blockLength, length));
      this.used = 0;
    }
    const view = this.block.subarray(this.used, this.used + length);
    this.used += length;
    return view;
  }
}
