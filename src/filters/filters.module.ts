import { Module } from '@nestjs/common';
import { MaturityModule } from '../maturity/maturity.module';
import { COIN_RECORD_ENRICHER } from '../rsi/ports';
import { RsiModule } from '../rsi/rsi.module';
import { DelistingService } from './delisting.service';
import { DelistingWorker } from './delisting.worker';
import { FilterService } from './filter.service';
import { FiltersController } from './filters.controller';

/** Entry filters, signals and the delisting list. */
@Module({
  imports: [RsiModule, MaturityModule],
  controllers: [FiltersController],
  // The coin table's derived fields (src/rsi/ports.ts): RsiService looks this port up, it does not import us.
  providers: [
    FilterService,
    DelistingService,
    DelistingWorker,
    { provide: COIN_RECORD_ENRICHER, useExisting: FilterService },
  ],
  exports: [FilterService, DelistingService],
})
export class FiltersModule {}
