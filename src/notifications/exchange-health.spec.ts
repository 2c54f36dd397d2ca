import { dailySummaryDue, buildDailySummary } from './daily-summary';
import { ExchangeHealthRule } from './exchange-health';

describe('ExchangeHealthRule', () => {
  const min = 60_000;

  it('announces a failure that lasted the threshold once, and the recovery at the next success', () => {
    const rule = new ExchangeHealthRule();
    expect(rule.record(false, 0, 'HTTP 503')).toBeNull();
    expect(rule.check(4 * min, 5 * min)).toBeNull();
    expect(rule.record(false, 4.5 * min, 'timeout')).toBeNull();
    expect(rule.check(5 * min, 5 * min)).toEqual({ kind: 'failing', since: 0, lastError: 'timeout' });
    expect(rule.check(6 * min, 5 * min)).toBeNull();
    expect(rule.record(true, 7 * min)).toEqual({ kind: 'recovered', since: 0, lastError: 'timeout' });
    expect(rule.record(true, 8 * min)).toBeNull();
  });

  it('a success inside the threshold resets the count and announces nothing', () => {
    const rule = new ExchangeHealthRule();
    rule.record(false, 0);
    expect(rule.record(true, 3 * min)).toBeNull();
    rule.record(false, 4 * min);
    expect(rule.check(8 * min, 5 * min)).toBeNull();
    expect(rule.check(9 * min, 5 * min)).toEqual({ kind: 'failing', since: 4 * min, lastError: null });
  });
});

describe('daily summary', () => {
  const day = Date.UTC(2026, 0, 2);

  it('is due once in its UTC hour', () => {
    expect(dailySummaryDue(day + 20 * 3_600_000 + 5, 20, null)).toBe('2026-01-02');
    expect(dailySummaryDue(day + 20 * 3_600_000 + 5, 20, '2026-01-02')).toBeNull();
    expect(dailySummaryDue(day + 19 * 3_600_000, 20, null)).toBeNull();
    expect(dailySummaryDue(day + 20 * 3_600_000, null, null)).toBeNull();
  });

  it('counts the trades of the last 24 h', () => {
    const now = day + 20 * 3_600_000;
    const s = buildDailySummary(
      now,
      '2026-01-02',
      [
        { pnl: 5, closeTimeMs: now - 1_000 },
        { pnl: -2.25, closeTimeMs: now - 23 * 3_600_000 },
        { pnl: 0, closeTimeMs: now - 10 },
        { pnl: 100, closeTimeMs: now - 25 * 3_600_000 },
      ],
      [],
    );
    expect(s).toEqual({ at: now, day: '2026-01-02', trades: 3, wins: 1, losses: 1, pnlUsdt: 2.75, openPositions: [] });
  });
});
