import type { EntryCheck } from '../../filters/filter.types';
import { cooldownLeftMs, screenCandidate, type CandidateInput } from './candidate-screen';

const passed: EntryCheck = {
  symbol: 'BTC',
  direction: 'LONG',
  allowed: true,
  reason: 'all entry filters passed',
  decisions: [{ filter: 'maturity', allowed: true, reason: 'ok' }],
};

function input(overrides: Partial<CandidateInput> = {}): CandidateInput {
  return {
    direction: 'LONG',
    rsi: 25,
    effectiveSignal: { signal: 'ENTER_LONG', reason: 'ok' },
    lock: null,
    activeBots: 0,
    maxConcurrent: 2,
    busyBotStatus: null,
    exchangeHoldsPosition: false,
    entryCheck: () => passed,
    cooldownLeftMs: 0,
    timeframe: '6h',
    thresholds: () => ({ long: 29, short: 71 }),
    guard: () => null,
    ...overrides,
  };
}

describe('screenCandidate', () => {
  it('passes a coin through every step with the entry check it ran', () => {
    expect(screenCandidate(input())).toEqual({ ok: true, check: passed });
  });

  it('refuses at the first failing step, in the documented order', () => {
    const all = input({
      lock: { rule: 'cooldown', reason: 'locked' },
      effectiveSignal: { signal: 'WAIT', reason: 'maturity' },
      activeBots: 2,
      busyBotStatus: 'in_position_long',
      exchangeHoldsPosition: true,
      cooldownLeftMs: 1,
      rsi: 40,
    });
    expect(screenCandidate(all)).toEqual({ ok: false, skip: { filter: 'protection:cooldown', reason: 'locked' } });
    expect(screenCandidate({ ...all, lock: null })).toMatchObject({
      skip: { filter: 'effective_signal', reason: 'maturity' },
    });
    const signalOk = { ...all, lock: null, effectiveSignal: { signal: 'ENTER_LONG' as const, reason: '' } };
    expect(screenCandidate(signalOk)).toMatchObject({
      skip: { filter: 'max_concurrent', reason: 'max_concurrent reached (2/2)' },
    });
    expect(screenCandidate({ ...signalOk, activeBots: 1 })).toMatchObject({ skip: { filter: 'bot_exists' } });
    expect(screenCandidate({ ...signalOk, activeBots: 1, busyBotStatus: null })).toMatchObject({
      skip: { filter: 'exchange_position' },
    });
    const refused: EntryCheck = { ...passed, allowed: false, blockedBy: 'exit_scam', reason: 'exit_scam: pump' };
    const clean = { ...signalOk, activeBots: 1, busyBotStatus: null, exchangeHoldsPosition: false };
    expect(screenCandidate({ ...clean, entryCheck: () => refused })).toMatchObject({
      skip: { filter: 'exit_scam', reason: 'exit_scam: pump' },
    });
    expect(screenCandidate({ ...clean, cooldownLeftMs: 90_001 })).toMatchObject({
      skip: { filter: 'cooldown', reason: 'closed less than one 6h candle ago (2 min left)' },
    });
    expect(screenCandidate({ ...clean, cooldownLeftMs: 0 })).toMatchObject({
      skip: { filter: 'rsi_recheck', reason: 'RSI 40 left the LONG zone' },
    });
    expect(
      screenCandidate({
        ...clean,
        cooldownLeftMs: 0,
        rsi: 25,
        guard: () => ({ rule: 'risk_cap', reason: 'too much' }),
      }),
    ).toMatchObject({ skip: { filter: 'protection:risk_cap' } });
  });

  it('runs the costly checks only when reached', () => {
    let checks = 0;
    const entryCheck = () => {
      checks++;
      return passed;
    };
    screenCandidate(input({ activeBots: 2, entryCheck }));
    expect(checks).toBe(0);
    screenCandidate(input({ entryCheck }));
    expect(checks).toBe(1);
  });

  it('re-checks RSI against the SHORT threshold too', () => {
    expect(screenCandidate(input({ direction: 'SHORT', rsi: 70 }))).toMatchObject({ skip: { filter: 'rsi_recheck' } });
    expect(screenCandidate(input({ direction: 'SHORT', rsi: 71 }))).toMatchObject({ ok: true });
    expect(screenCandidate(input({ rsi: null }))).toMatchObject({ skip: { filter: 'rsi_recheck' } });
  });
});

describe('cooldownLeftMs', () => {
  it('is what is left of one candle after the last close, 0 when none', () => {
    expect(cooldownLeftMs(0, 1000, 5000)).toBe(0);
    expect(cooldownLeftMs(4500, 1000, 5000)).toBe(500);
    expect(cooldownLeftMs(3000, 1000, 5000)).toBe(0);
  });
});
