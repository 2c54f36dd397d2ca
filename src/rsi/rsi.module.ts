import { Module } from '@nestjs/common';
import { MARKET_LOAD } from '../health/market-load.port';
import { CoinsWithRsiResponder } from './coins-with-rsi.responder';
import { RsiController } from './rsi.controller';
import { RsiService } from './rsi.service';
import { SmartRsiWorker } from './smart-rsi.worker';

/** Candles, RSI, trend and the coin table; the smart RSI manager worker. */
@Module({
  controllers: [RsiController],
  // MARKET_LOAD: the port the status endpoints read the load through (src/health/market-load.port.ts).
  providers: [RsiService, SmartRsiWorker, CoinsWithRsiResponder, { provide: MARKET_LOAD, useExisting: RsiService }],
  exports: [RsiService, SmartRsiWorker],
})
export class RsiModule {}
