import { DEFAULT_AUTO_BOT_CONFIG } from '../../config/defaults';
import type { BacktestParams, BacktestSymbol } from './backtest.types';
import { coinSettings } from './replay-setup';

describe('coinSettings', () => {
  const params: BacktestParams = {
    timeframe: '6h',
    config: { ...DEFAULT_AUTO_BOT_CONFIG, leverage: 100, max_loss_percent: 15 },
    startingBalance: 1000,
    feeRate: 0,
    spreadTicks: 1,
  };
  const coin: BacktestSymbol = {
    symbol: 'BTC',
    candles: {
      length: 0,
      time: new Float64Array(0),
      open: new Float64Array(0),
      high: new Float64Array(0),
      low: new Float64Array(0),
      close: new Float64Array(0),
    },
    rules: { tickSize: 0.01, qtyStep: 0.001, minOrderQty: 0.001, minNotional: 5, maxLeverage: 50 },
  };

  it('measures the max loss at the leverage the positions run at (100x configured, capped to 50x)', () => {
    const settings = coinSettings(params, coin);
    expect(settings.leverage).toBe(50);
    // 80 % of the ~2 % liquidation distance at 50x (at the configured 100x it would be 0.8 %).
    expect(settings.protection.maxLossPercent).toBeCloseTo(1.6, 12);
  });

  it('a coin’s own leverage (its individual settings) is the one both use', () => {
    const settings = coinSettings(params, { ...coin, overrides: { leverage: 5 } });
    expect(settings.leverage).toBe(5);
    expect(settings.protection.maxLossPercent).toBe(15);
  });
});
