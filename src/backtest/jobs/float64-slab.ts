/**
 * Float64Array views carved from a few large blocks instead of one small allocation each. A backtest job keeps
 * 583 coins × 5 columns of ~1 450 candles: as 2 915 separate 12 KB arrays they land in the job thread's malloc arena,
 * whose pages stay with the process after the thread ends; 8 MB blocks are mapped and unmapped whole
 * (docs/whole-service-bench.md, "Backtest and optimizer jobs").
 */
export class Float64Slab {
  private block = new Float64Array(0);
  private used = 0;

  constructor(private readonly blockLength = 1 << 20) {}

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
