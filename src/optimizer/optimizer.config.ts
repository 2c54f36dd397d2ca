import { registerAs } from '@nestjs/config';
import { availableParallelism } from 'node:os';

/** Optimizer environment (docs/optimizer.md, "Configuration"): parsed once; a bad value stops start-up. */
export type OptimizerSettings = {
  /** Empty: evaluations run on this machine's worker-thread pool; set: on the BullMQ queue at this Redis. */
  redisUrl: string | null;
  /** Pool threads (default: every core). */
  threads: number;
  /** `apply` refuses a candidate whose out-of-sample (and holdout) score is below this. */
  applyMinOutOfSampleScore: number;
  /** … or that made fewer out-of-sample trades than this. */
  applyMinOutOfSampleTrades: number;
};

type Env = Record<string, string | undefined>;

export function parseOptimizerSettings(env: Env): OptimizerSettings {
  const number = (key: string, fallback: number, min: number, max: number, integer: boolean): number => {
    const raw = env[key]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new Error(
        `Invalid ${key}=${JSON.stringify(raw)}: must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
      );
    }
    return value;
  };
  const redisUrl = env.OPTIMIZER_REDIS_URL?.trim() || null;
  if (redisUrl && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    throw new Error(`Invalid OPTIMIZER_REDIS_URL: must be redis://host:port or rediss://host:port`);
  }
  return {
    redisUrl,
    threads: number('OPTIMIZER_THREADS', availableParallelism(), 1, 256, true),
    applyMinOutOfSampleScore: number('OPTIMIZER_APPLY_MIN_OOS_SCORE', 0, -1e9, 1e9, false),
    applyMinOutOfSampleTrades: number('OPTIMIZER_APPLY_MIN_OOS_TRADES', 30, 0, 1e9, true),
  };
}

export const optimizerConfig = registerAs('optimizer', () => parseOptimizerSettings(process.env));
