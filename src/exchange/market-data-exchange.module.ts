import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { exchangeConfig } from '../config/app.config';
import { EXCHANGE_ADAPTER, ExchangeService } from './exchange.service';
import { PaperExchange } from './paper/paper-exchange';

/**
 * ExchangeModule for the command-line tools (candles, backtest, optimize): on paper, the simulated market without
 * the paper account file, since they read market data only and may run beside the service.
 */
@Global()
@Module({
  providers: [
    ExchangeService,
    {
      provide: EXCHANGE_ADAPTER,
      inject: [exchangeConfig.KEY, Clock],
      useFactory: (config: ConfigType<typeof exchangeConfig>, clock: Clock) =>
        config.name === 'paper'
          ? new PaperExchange({ clock, seed: config.paper.seed, symbolCount: config.paper.symbols })
          : null,
    },
  ],
  exports: [ExchangeService],
})
export class MarketDataExchangeModule {}
