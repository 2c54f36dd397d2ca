import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { optimizerConfig } from './optimizer.config';
import { OptimizerController } from './optimizer.controller';
import { OptimizerService } from './optimizer.service';

/**
 * Strategy optimization (docs/optimizer.md): seeded search, walk-forward validation, a worker-thread pool or
 * Redis workers. Needs the global settings, persistence and clock modules.
 */
@Module({
  imports: [ConfigModule.forFeature(optimizerConfig)],
  controllers: [OptimizerController],
  providers: [OptimizerService],
  exports: [OptimizerService],
})
export class OptimizerModule {}
