import { Module } from '@nestjs/common';
import { MaturityModule } from '../maturity/maturity.module';
import { RsiModule } from '../rsi/rsi.module';
import { DelistingService } from './delisting.service';
import { DelistingWorker } from './delisting.worker';
import { FilterService } from './filter.service';
import { FiltersController } from './filters.controller';

/** Entry filters, signals and the delisting list. */
@Module({
  imports: [RsiModule, MaturityModule],
  controllers: [FiltersController],
  providers: [FilterService, DelistingService, DelistingWorker],
  exports: [FilterService, DelistingService],
})
export class FiltersModule {}
