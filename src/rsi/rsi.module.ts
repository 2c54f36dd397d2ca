import { Module } from '@nestjs/common';
import { CoinsWithRsiResponder } from './coins-with-rsi.responder';
import { RsiController } from './rsi.controller';
import { RsiService } from './rsi.service';
import { SmartRsiWorker } from './smart-rsi.worker';

/** Candles, RSI, trend and the coin table; the smart RSI manager worker. */
@Module({
  controllers: [RsiController],
  providers: [RsiService, SmartRsiWorker, CoinsWithRsiResponder],
  exports: [RsiService, SmartRsiWorker],
})
export class RsiModule {}
