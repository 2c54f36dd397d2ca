import { Module } from '@nestjs/common';
import { CandleStoreService } from './candle-store.service';

/** Historical candles on disk for the backtester (docs/candle-store.md); needs the global ExchangeModule. */
@Module({
  providers: [CandleStoreService],
  exports: [CandleStoreService],
})
export class CandlesModule {}
