import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { optimizerConfig } from './optimizer.config';
import { OPTIMIZER_QUEUE } from './queue-executor';

/**
 * The optimizer's BullMQ queue on the Redis at OPTIMIZER_REDIS_URL, through @nestjs/bullmq (docs/optimizer.md,
 * "Across machines"). Imported only when that variable is set, so the single-machine default never connects to Redis.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      imports: [ConfigModule.forFeature(optimizerConfig)],
      inject: [optimizerConfig.KEY],
      useFactory: (settings: ConfigType<typeof optimizerConfig>) => ({ connection: { url: settings.redisUrl! } }),
    }),
    BullModule.registerQueue({ name: OPTIMIZER_QUEUE }),
  ],
  exports: [BullModule],
})
export class OptimizerQueueModule {}

/** Whether the environment asks for the queue (the same test optimizerConfig uses). */
export const optimizerQueueWanted = (env: NodeJS.ProcessEnv): boolean => Boolean(env.OPTIMIZER_REDIS_URL?.trim());
