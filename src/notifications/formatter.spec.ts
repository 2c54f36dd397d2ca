import { formatDuration, formatNotification, formatPrice, formatUsdt } from './formatter';

const at = Date.UTC(2026, 0, 2, 3, 4, 5);

describe('formatNotification', () => {
  it('entry: symbol, side, price, size, leverage, stop', () => {
    const m = formatNotification('entry', {
      at,
      botId: 'BTC_1',
      symbol: 'BTC',
      side: 'LONG',
      price: 43_210.5,
      quantity: 0.012,
      leverage: 10,
      stopLoss: 39_753.66,
      takeProfit: 45_371.03,
      source: 'auto',
    });
    expect(m.eventKey).toBe(`entry:BTC_1:${at}`);
    expect(m.text).toBe(
      'Entry LONG BTC @ 43210.5\nsize 0.012, leverage 10x, stop 39753.66, take-profit 45371.03 (auto)',
    );
  });

  it('exit: reason, PnL, ROI, hold time; keyed by the bot and its entry time', () => {
    const m = formatNotification('exit', {
      at,
      botId: 'ETH_7',
      symbol: 'ETH',
      side: 'SHORT',
      entryPrice: 2_500,
      exitPrice: 2_400,
      reason: 'TAKE_PROFIT',
      pnlUsdt: 12.345,
      roiPercent: 40,
      holdMs: 3 * 3_600_000 + 5 * 60_000,
      entryAt: at - 1,
    });
    expect(m.eventKey).toBe(`exit:ETH_7:${at - 1}`);
    expect(m.text).toBe('Exit SHORT ETH (TAKE_PROFIT) @ 2400\nentry 2500, PnL +12.35 USDT, ROI 40.00 %, held 3h 05m');
  });

  it('stop moves, re-placed stops, outside closes, locks, delisting, exchange, lifecycle, summary', () => {
    expect(
      formatNotification('stop_moved', { at, botId: 'B', symbol: 'SOL', kind: 'break_even', stopLoss: 101.2 }).text,
    ).toBe('Stop SOL moved to 101.2 (break-even)');
    expect(
      formatNotification('stop_moved', { at, botId: 'B', symbol: 'SOL', kind: 'trailing', stopLoss: 105 }).eventKey,
    ).toBe(`stop:B:trailing:105:${at}`);
    expect(formatNotification('stop_replaced', { at, symbol: 'XRP', stopLoss: 0.51, takeProfit: null }).text).toBe(
      'Stop-loss of XRP was missing on the exchange: placed again at 0.51',
    );
    expect(
      formatNotification('closed_outside', {
        at,
        symbol: 'ADA',
        side: 'LONG',
        reason: 'STOP_LOSS',
        exitPrice: 0.4,
        pnlUsdt: -3.2,
      }).text,
    ).toBe('LONG ADA was closed outside the service (STOP_LOSS) @ 0.4, PnL -3.20 USDT');
    const lock = {
      at,
      lockId: 'L1',
      symbol: null,
      rule: 'max_drawdown',
      reason: 'drawdown 12 % > 10 %',
      until: at + 3_600_000,
    };
    expect(formatNotification('lock_set', lock).text).toBe(
      'Protection lock on all coins (max_drawdown): drawdown 12 % > 10 %; until 2026-01-02 04:04 UTC',
    );
    expect(formatNotification('lock_lifted', { ...lock, symbol: 'DOGE' }).text).toBe(
      'Protection lock on DOGE (max_drawdown) lifted',
    );
    expect(formatNotification('delisting', { at, symbols: ['B', 'A'] }).eventKey).toBe(`delisting:A,B:${at}`);
    expect(formatNotification('exchange_failing', { at, since: at - 6 * 60_000, lastError: 'HTTP 503' }).text).toBe(
      'Exchange failing since 2026-01-02 02:58 UTC (6m): HTTP 503',
    );
    expect(formatNotification('exchange_recovered', { at, since: at - 90 * 60_000, lastError: null }).text).toBe(
      'Exchange recovered after 1h 30m of failures',
    );
    expect(formatNotification('service_started', { at, mode: 'paper' }).text).toBe('bots-service started (paper)');
    expect(
      formatNotification('daily_summary', {
        at,
        day: '2026-01-02',
        trades: 3,
        wins: 2,
        losses: 1,
        pnlUsdt: 4.5,
        openPositions: [{ symbol: 'BTC', side: 'LONG' }],
      }).text,
    ).toBe('Daily summary 2026-01-02: 3 trades (2 won, 1 lost), PnL +4.50 USDT\nopen positions (1): BTC LONG');
  });

  it('formats numbers', () => {
    expect(formatPrice(0.000012345678912)).toBe('0.000012345679');
    expect(formatPrice(null)).toBe('—');
    expect(formatUsdt(-0.004)).toBe('-0.00 USDT');
    expect(formatDuration(59_999)).toBe('0m');
    expect(formatDuration(50 * 3_600_000)).toBe('2d 2h');
  });
});
