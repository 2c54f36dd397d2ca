import { Module } from '@nestjs/common';
import { RsiModule } from '../rsi/rsi.module';
import { MaturityController } from './maturity.controller';
import { MaturityService } from './maturity.service';

/** Coin maturity and the mature-coin store (data/mature_coins.json). */
@Module({
  imports: [RsiModule],
  controllers: [MaturityController],
  providers: [MaturityService],
  exports: [MaturityService],
})
export class MaturityModule {}
