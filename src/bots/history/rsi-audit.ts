import type { EffectiveBotConfig } from '../../config/effective-bot-config';
import { exitSignal } from '../../rules/signal';
import { exitThresholds, type ExitLevelSettings } from '../engine/bot-settings';

/** The settings an audit reads: the entry thresholds and the exit levels. */
export type AuditSettings = ExitLevelSettings & Pick<EffectiveBotConfig, 'rsi_long_threshold' | 'rsi_short_threshold'>;
import type { StoredTrade } from './history.types';

/**
 * RSI audit of closed trades: was each entry inside its RSI zone, and did each RSI exit happen at the exit
 * level (with / against the entry trend)? Exits by stops, take-profit or hand are not RSI exits. Pure.
 */

export type AuditStatus = 'ok' | 'error' | 'no_rsi';

export interface AuditedTrade {
  id: string;
  symbol: string;
  direction: 'LONG' | 'SHORT';
  close_timestamp: string;
  close_reason: string;
  pnl: number;
  entry_rsi: number | null;
  entry_threshold: number;
  entry_status: AuditStatus;
  exit_rsi: number | null;
  exit_threshold: number | null;
  exit_status: AuditStatus | 'not_rsi_exit';
}

export function auditTrade(trade: StoredTrade, config: AuditSettings): AuditedTrade {
  const long = trade.direction === 'LONG';
  const entryThreshold = long ? config.rsi_long_threshold : config.rsi_short_threshold;
  const entryStatus: AuditStatus =
    trade.rsi === null || trade.rsi === undefined
      ? 'no_rsi'
      : (long ? trade.rsi <= entryThreshold : trade.rsi >= entryThreshold)
        ? 'ok'
        : 'error';
  let exitThreshold: number | null = null;
  let exitStatus: AuditedTrade['exit_status'] = 'not_rsi_exit';
  if (trade.close_reason === 'RSI_EXIT') {
    const verdict = exitSignal(trade.exit_rsi ?? null, trade.direction, trade.trend, exitThresholds(config));
    exitThreshold = verdict.threshold;
    exitStatus = trade.exit_rsi === null || trade.exit_rsi === undefined ? 'no_rsi' : verdict.exit ? 'ok' : 'error';
  }
  return {
    id: trade.id,
    symbol: trade.symbol,
    direction: trade.direction,
    close_timestamp: trade.close_timestamp,
    close_reason: trade.close_reason,
    pnl: trade.pnl,
    entry_rsi: trade.rsi ?? null,
    entry_threshold: entryThreshold,
    entry_status: entryStatus,
    exit_rsi: trade.exit_rsi ?? null,
    exit_threshold: exitThreshold,
    exit_status: exitStatus,
  };
}

export function rsiAuditReport(
  trades: readonly StoredTrade[],
  configFor: (symbol: string) => AuditSettings,
  global: AuditSettings,
  timeframe: string,
  generatedAt: string,
) {
  const audited = trades.map((t) => auditTrade(t, configFor(t.symbol)));
  const count = (pick: (a: AuditedTrade) => boolean) => audited.filter(pick).length;
  return {
    config: {
      rsi_long_threshold: global.rsi_long_threshold,
      rsi_short_threshold: global.rsi_short_threshold,
      rsi_exit_long_with_trend: global.rsi_exit_long_with_trend,
      rsi_exit_long_against_trend: global.rsi_exit_long_against_trend,
      rsi_exit_short_with_trend: global.rsi_exit_short_with_trend,
      rsi_exit_short_against_trend: global.rsi_exit_short_against_trend,
    },
    timeframe,
    trades: audited,
    summary: {
      total: audited.length,
      entry_ok: count((a) => a.entry_status === 'ok'),
      entry_error: count((a) => a.entry_status === 'error'),
      entry_no_rsi: count((a) => a.entry_status === 'no_rsi'),
      exit_ok: count((a) => a.exit_status === 'ok'),
      exit_error: count((a) => a.exit_status === 'error'),
      exit_no_rsi: count((a) => a.exit_status === 'no_rsi'),
    },
    generated_at: generatedAt,
  };
}
