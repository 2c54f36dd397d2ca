// One scenario, two runners (issue #12, docs/protections.md "Same locks in the backtest"): the live ProtectionService
// (real JsonStore in a temp DATA_DIR, trades recorded through the real BotHistoryService) and the backtest replay's
// protection pass (accountProtectionPass, the function runBacktest calls at each candle close) get the same closed
// trades and the same balance at the same pass times, and must set and lift the same locks.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { CloseReason, TradeRecord } from '../bots/engine/bot.types';
import { BotHistoryService } from '../bots/history/bot-history.service';
import { ManualClock } from '../common/clock';
import { DEFAULT_AUTO_BOT_CONFIG, type AutoBotConfig } from '../config/defaults';
import { JsonStore } from '../persistence/json-store.service';
import { accountProtectionPass } from '../backtest/engine/account-protections';
import type { ProtectionLock } from './protection-locks';
import { protectionSettings } from './protection-settings';
import { ProtectionService } from './protection.service';
import { EquityHistory } from './rules/equity-history';
import type { ClosedTradeFact } from './rules/rule.types';
import { activeLockFor, type LockBook } from './lock-book';
import { SimulatedScheduler } from '../scheduling/worker-scheduler';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 0, 0);
const at = (minutes: number) => T0 + minutes * MIN;

const CONFIG: AutoBotConfig = {
  ...DEFAULT_AUTO_BOT_CONFIG,
  max_drawdown_enabled: true,
  max_drawdown_percent: 10,
  max_drawdown_lookback_hours: 24,
  max_drawdown_lock_hours: 2,
  stoploss_guard_enabled: true,
  stoploss_guard_trade_limit: 2,
  stoploss_guard_lookback_hours: 6,
  stoploss_guard_lock_hours: 3,
  stoploss_guard_per_coin: false,
  exit_cooldown_enabled: true,
  exit_cooldown_minutes: 60,
};

interface ScenarioTrade {
  symbol: string;
  closedMin: number;
  netPnl: number;
  reason: CloseReason;
}

/** A pass every 30 min (live: bot_status_update_interval; replay: a 30m candle close), with the balance then. */
const PASSES: Array<{ min: number; wallet: number; unrealised: number; trades?: ScenarioTrade[] }> = [
  { min: 0, wallet: 1000, unrealised: 0 },
  { min: 30, wallet: 1000, unrealised: 50 }, // the peak: 1050
  {
    min: 60,
    wallet: 980,
    unrealised: 50,
    trades: [{ symbol: 'BTCUSDT', closedMin: 50, netPnl: -20, reason: 'STOP_LOSS' }],
  },
  {
    min: 90,
    wallet: 950,
    unrealised: -10,
    trades: [{ symbol: 'ETHUSDT', closedMin: 80, netPnl: -30, reason: 'STOP_LOSS' }],
  },
  { min: 120, wallet: 950, unrealised: 0 },
  { min: 150, wallet: 950, unrealised: 0 },
  { min: 180, wallet: 950, unrealised: -5 },
  { min: 210, wallet: 950, unrealised: -5 },
  { min: 240, wallet: 950, unrealised: -5 },
  { min: 270, wallet: 950, unrealised: 0 },
  { min: 300, wallet: 950, unrealised: 0 },
];

function tradeRecord(t: ScenarioTrade, n: number): TradeRecord {
  const closeMs = at(t.closedMin);
  return {
    id: `trade-${n}`,
    timestamp: new Date(closeMs).toISOString(),
    bot_id: `bot-${t.symbol}`,
    symbol: t.symbol,
    direction: 'LONG',
    size: 1,
    entry_price: 100,
    exit_price: 100 + t.netPnl,
    pnl: t.netPnl,
    fees: 0,
    net_pnl: t.netPnl,
    roi: t.netPnl,
    pnl_percent: t.netPnl,
    leverage: 1,
    status: 'CLOSED',
    decision_source: 'SCRIPT',
    rsi: 25,
    trend: null,
    exit_rsi: null,
    entry_timeframe: '30m',
    entry_time: new Date(closeMs - 20 * MIN).toISOString(),
    entry_timestamp: closeMs - 20 * MIN,
    close_timestamp: new Date(closeMs).toISOString(),
    close_time_ms: closeMs,
    close_reason: t.reason,
    is_successful: t.netPnl > 0,
    is_simulated: false,
  };
}

/** What both runners must agree on (ids differ by design: live `rule-scope-time`, the replay adds a sequence). */
interface LockView {
  rule: string;
  scope: 'account' | 'coin';
  symbol: string | null;
  reason: string;
  locked_at: number;
  until: number;
}
const view = (l: ProtectionLock): LockView => ({
  rule: l.rule,
  scope: l.symbol === null ? 'account' : 'coin',
  symbol: l.symbol,
  reason: l.reason,
  locked_at: l.locked_at,
  until: l.until,
});
interface Timeline {
  set: LockView[];
  /** `rule/scope@minute` of each lift, at the pass that lifted it. */
  lifted: string[];
  /** Per pass: the rules blocking a new entry on SOLUSDT (a coin that never traded) and on BTCUSDT. */
  blocked: string[];
}
/**
 * `minute: SOL=<deciding rule> [all rules in force on it] BTC=...`: SOLUSDT never traded, BTCUSDT did. The deciding
 * rule is the lock ending last (live: ProtectionService.lockFor; the replay: activeLockFor, as auto-bot-entry.ts).
 */
function blocks(min: number, active: ProtectionLock[], deciding: (symbol: string) => string | undefined): string {
  const on = (symbol: string) => {
    const all = active.filter((l) => l.symbol === null || l.symbol === symbol).map((l) => l.rule);
    return `${deciding(symbol) ?? '-'} [${all.sort().join(',')}]`;
  };
  return `${min}: SOL=${on('SOLUSDT')} BTC=${on('BTCUSDT')}`;
}
const liftTag = (l: ProtectionLock, now: number) => `${l.rule}/${l.symbol ?? 'all'}@${(now - T0) / MIN}`;

async function liveTimeline(dataDir: string): Promise<Timeline> {
  const clock = new ManualClock(T0);
  const store = new JsonStore({ dataDir } as never);
  const registry = { register: () => undefined };
  const history = new BotHistoryService(store, registry as never, clock);
  await history.onModuleInit();
  const balance = { wallet: 0, unrealised: 0 };
  const service = new ProtectionService(
    { workersEnabled: false } as never,
    clock,
    store,
    registry as never,
    { get: () => CONFIG } as never,
    { get: () => ({ bot_status_update_interval: 1800 }) } as never,
    {
      isReady: true,
      fetchBalance: async () => ({ walletBalance: balance.wallet, unrealizedPnl: balance.unrealised }),
    } as never,
    { all: () => [] } as never,
    history,
    new EventEmitter2(),
    new SimulatedScheduler(clock),
  );
  await service.onModuleInit();
  const out: Timeline = { set: [], lifted: [], blocked: [] };
  let n = 0;
  for (const pass of PASSES) {
    // Live, a trade reaches the service as a record in BotHistoryService (then a position.closed event asks for a
    // pass); the replay appends the same fact at the close and checks at the candle close.
    for (const t of pass.trades ?? []) {
      clock.set(at(t.closedMin));
      await history.recordTrade(tradeRecord(t, n++));
    }
    clock.set(at(pass.min));
    Object.assign(balance, { wallet: pass.wallet, unrealised: pass.unrealised });
    const report = await service.evaluate();
    out.set.push(...report.set.map(view));
    out.lifted.push(...report.lifted.map((l) => liftTag(l, report.at)));
    out.blocked.push(blocks(pass.min, service.activeLocks(), (symbol) => service.lockFor(symbol)?.rule));
  }
  await service.stop();
  return out;
}

function replayTimeline(): Timeline {
  const settings = protectionSettings(CONFIG);
  const book: LockBook = { locks: [], resets: {} };
  const equity = new EquityHistory();
  const trades: ClosedTradeFact[] = [];
  const out: Timeline = { set: [], lifted: [], blocked: [] };
  let seq = 0;
  for (const pass of PASSES) {
    for (const t of pass.trades ?? []) {
      // As position-walk.ts records a close for the protections.
      trades.push({
        symbol: t.symbol,
        closedAt: at(t.closedMin),
        pnlUsdt: t.netPnl,
        roiPercent: t.netPnl,
        exitReason: t.reason,
      });
    }
    const now = at(pass.min);
    const { set, lifted } = accountProtectionPass(
      book,
      equity,
      { now, walletBalance: pass.wallet, equity: pass.wallet + pass.unrealised, trades },
      settings,
      (p) => `${p.rule}-${p.symbol ?? 'all'}-${now}-${++seq}`,
    );
    out.set.push(...set.map(view));
    out.lifted.push(...lifted.map((l) => liftTag(l, now)));
    // The replay's entry check (auto-bot-entry.ts): activeLockFor on the book at the close.
    out.blocked.push(
      blocks(
        pass.min,
        book.locks.filter((l) => l.until > now),
        (symbol) => activeLockFor(book.locks, symbol, now)?.rule,
      ),
    );
  }
  return out;
}

describe('protections: the same scenario gives the same locks live and in the backtest replay', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'prot-parity-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('drawdown, stop-loss guard and cooldown locks: same rule, scope, reason, start and end; lifted on time', async () => {
    // Hand-computed:
    // - 60 min: BTC's stop at 50 → cooldown on BTC until 50 + 60 = 110.
    // - 90 min: ETH's stop at 80 → cooldown on ETH until 140; two stop-loss exits within 6 h → account lock until
    //   80 + 180 = 260; equity 950 − 10 = 940 is (1050 − 940) / 1050 = 10.48 % below the 30-min peak 1050 ≥ 10 %
    //   → account drawdown lock 90 → 90 + 120 = 210.
    // - Lifts at the first pass at or after each end: BTC 120, ETH 150, drawdown 210 (its end resets the peak: 945
    //   is compared with itself, no new lock), stop-loss guard 270 (the two stops are at or before its end: not
    //   counted again).
    const expected: LockView[] = [
      {
        rule: 'cooldown',
        scope: 'coin',
        symbol: 'BTCUSDT',
        reason: 'cooldown: BTCUSDT closed a position 10 min ago (cooldown 60 min)',
        locked_at: at(60),
        until: at(110),
      },
      {
        rule: 'max_drawdown',
        scope: 'account',
        symbol: null,
        reason:
          'max drawdown: equity 940.00 USDT is 10.48 % below the 24 h peak 1050.00 USDT (limit 10 %, peak at 2026-01-05T00:30:00.000Z)',
        locked_at: at(90),
        until: at(210),
      },
      {
        rule: 'stoploss_guard',
        scope: 'account',
        symbol: null,
        reason: 'stop-loss guard: 2 stop-loss exits across the account within 6 h (limit 2)',
        locked_at: at(90),
        until: at(260),
      },
      {
        rule: 'cooldown',
        scope: 'coin',
        symbol: 'ETHUSDT',
        reason: 'cooldown: ETHUSDT closed a position 10 min ago (cooldown 60 min)',
        locked_at: at(90),
        until: at(140),
      },
    ];
    const expectedLifts = [
      'cooldown/BTCUSDT@120',
      'cooldown/ETHUSDT@150',
      'max_drawdown/all@210',
      'stoploss_guard/all@270',
    ];
    const expectedBlocks = [
      '0: SOL=- [] BTC=- []',
      '30: SOL=- [] BTC=- []',
      '60: SOL=- [] BTC=cooldown [cooldown]',
      '90: SOL=stoploss_guard [max_drawdown,stoploss_guard] BTC=stoploss_guard [cooldown,max_drawdown,stoploss_guard]',
      '120: SOL=stoploss_guard [max_drawdown,stoploss_guard] BTC=stoploss_guard [max_drawdown,stoploss_guard]',
      '150: SOL=stoploss_guard [max_drawdown,stoploss_guard] BTC=stoploss_guard [max_drawdown,stoploss_guard]',
      '180: SOL=stoploss_guard [max_drawdown,stoploss_guard] BTC=stoploss_guard [max_drawdown,stoploss_guard]',
      '210: SOL=stoploss_guard [stoploss_guard] BTC=stoploss_guard [stoploss_guard]',
      '240: SOL=stoploss_guard [stoploss_guard] BTC=stoploss_guard [stoploss_guard]',
      '270: SOL=- [] BTC=- []',
      '300: SOL=- [] BTC=- []',
    ];

    const live = await liveTimeline(dataDir);
    const replay = replayTimeline();

    expect(live.set).toEqual(expected);
    expect(live.lifted).toEqual(expectedLifts);
    expect(live.blocked).toEqual(expectedBlocks);
    expect(replay).toEqual(live);

    // Live's locks went through the data file: after the last pass none is left, and the rules' restart points are
    // the ends of the lifted locks.
    const file = JSON.parse(await readFile(path.join(dataDir, 'protection_locks.json'), 'utf8'));
    expect(file.locks).toEqual([]);
    expect(file.resets).toEqual({
      cooldown: { BTCUSDT: at(110), ETHUSDT: at(140) },
      max_drawdown: { '*': at(210) },
      stoploss_guard: { '*': at(260) },
    });
    const history = JSON.parse(await readFile(path.join(dataDir, 'bot_history.json'), 'utf8'));
    expect(history.trades.map((t: TradeRecord) => t.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
  });
});
