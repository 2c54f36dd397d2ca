/**
 * `npm run optimizer-worker`: pulls optimizer evaluation jobs from the Redis at OPTIMIZER_REDIS_URL until SIGTERM
 * or SIGINT (docs/optimizer.md, "Across machines"). Run one per core, on as many machines as share the Redis.
 *   OPTIMIZER_REDIS_URL       redis://host:6379 (required)
 *   OPTIMIZER_WORKER_CONCURRENCY  jobs at once in this process (default 1)
 *   OPTIMIZER_LOCK_MS         job lock without renewal, > the longest evaluation (default 30000)
 */
import { NestFactory } from '@nestjs/core';
import { optimizerWorkerModule } from './optimizer-worker';

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a positive integer (got ${JSON.stringify(raw).slice(0, 40)})`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const redisUrl = process.env.OPTIMIZER_REDIS_URL;
  if (!redisUrl) {
    console.error('OPTIMIZER_REDIS_URL is required (redis://host:port)');
    process.exit(2);
  }
  const { module, processor } = optimizerWorkerModule({
    redisUrl,
    concurrency: positiveInt('OPTIMIZER_WORKER_CONCURRENCY', 1),
    lockMs: positiveInt('OPTIMIZER_LOCK_MS', 30_000),
  });
  const app = await NestFactory.createApplicationContext(module, { logger: ['error', 'warn'] });
  const worker = app.get(processor).worker;
  worker.on('error', (error) => console.error(`optimizer worker: ${error.message}`));
  try {
    await worker.waitUntilReady();
  } catch (error) {
    console.error(`optimizer worker: cannot reach ${redisUrl}: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(`optimizer worker ${process.pid} ready`);
  const stop = (): void => {
    // Closing the context closes the BullMQ worker (an evaluation in progress finishes first) and the queue.
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((error: Error) => {
  console.error(`optimizer worker: ${error.message}`);
  process.exit(1);
});
