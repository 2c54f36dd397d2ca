import { Global, Module } from '@nestjs/common';
import { EXCHANGE_ADAPTER, ExchangeService } from './exchange.service';

@Global()
@Module({
  providers: [ExchangeService, { provide: EXCHANGE_ADAPTER, useValue: null }],
  exports: [ExchangeService],
})
export class ExchangeModule {}
