import type { AutoBotConfig, SignalCandle } from '../config/defaults';
import type { IndividualSettingsService } from '../config/individual-settings.service';
import type { SystemConfigService } from '../config/system-config.service';
import type { ExchangeService } from '../exchange/exchange.service';
import type { Timeframe } from '../exchange/exchange.types';
import type { AnalysisParams } from './coin-analysis';
import type { RecordSettings } from './coin-record';
import type { EnhancedRsiSettings } from './indicators/enhanced-rsi';
import { DEFAULT_EMA_TREND_PARAMS, type EmaTrendParams } from './indicators/trend';

/**
 * Reads, for one coin, the settings its analysis and record depend on: trend keys of the effective auto-bot config,
 * the coin's EMA pair (optimal_ema.json or 50/200), enhanced RSI settings (system, a per-coin override wins).
 */
export class CoinSettings {
  /** Optimal EMA pairs by coin, from optimal_ema.json (rsi-cache-file.ts). */
  optimalEma = new Map<string, { fast: number; slow: number }>();

  constructor(
    private readonly systemConfig: SystemConfigService,
    private readonly individualSettings: IndividualSettingsService,
    private readonly exchange: ExchangeService,
  ) {}

  analysisParams(symbol: string): AnalysisParams {
    const config: AutoBotConfig = this.individualSettings.effectiveConfig(symbol);
    return {
      trend: {
        period: config.trend_analysis_period,
        priceChangeThreshold: config.trend_price_change_threshold,
        candlesThreshold: config.trend_candles_threshold,
      },
      emaTrend: this.emaParams(symbol),
    };
  }

  /** Which candles the coin's record reads (docs/settings.md §Signal candle); a per-coin override wins. */
  signalCandle(symbol: string): SignalCandle {
    return this.individualSettings.effectiveConfig(symbol).signal_candle;
  }

  recordSettings(symbol: string, timeframe: Timeframe): RecordSettings {
    return { timeframe, tradingStatus: this.exchange.market(symbol)?.status, enhanced: this.enhancedSettings(symbol) };
  }

  /** docs/trading-logic.md §4: the system setting, a per-coin override wins; null when off. */
  enhancedSettings(symbol: string): EnhancedRsiSettings | null {
    const system = this.systemConfig.get();
    const override = this.individualSettings.get(symbol)?.enhanced_rsi_enabled;
    const enabled = typeof override === 'boolean' ? override : system.enhanced_rsi_enabled;
    if (!enabled) return null;
    const config = this.individualSettings.effectiveConfig(symbol);
    return {
      requireDivergence: system.enhanced_rsi_require_divergence_confirmation,
      useVolumeConfirmation: system.enhanced_rsi_require_volume_confirmation,
      useStochRsi: system.enhanced_rsi_use_stoch_rsi,
      extremeOversold: system.rsi_extreme_oversold,
      extremeOverbought: system.rsi_extreme_overbought,
      extremeZoneTimeout: system.rsi_extreme_zone_timeout,
      divergenceLookback: system.rsi_divergence_lookback,
      volumeMultiplier: system.rsi_volume_confirmation_multiplier,
      longThreshold: config.rsi_long_threshold,
      shortThreshold: config.rsi_short_threshold,
      emaTrend: this.emaParams(symbol),
    };
  }

  private emaParams(symbol: string): EmaTrendParams {
    const pair = this.optimalEma.get(symbol);
    const confirmationBars =
      this.systemConfig.get().trend_confirmation_bars ?? DEFAULT_EMA_TREND_PARAMS.confirmationBars;
    return pair
      ? { fast: pair.fast, slow: pair.slow, confirmationBars }
      : { ...DEFAULT_EMA_TREND_PARAMS, confirmationBars };
  }
}
