import type { FilterDecision } from '../filter.types';
import { runEntryFilters, type EntryFilterSteps } from './entry-chain';

const ok = (filter: string): FilterDecision => ({ filter, allowed: true, reason: 'ok' });
const steps: EntryFilterSteps = {
  maturity: () => ok('maturity'),
  rsiTime: () => ok('rsi_time_filter'),
  exitScam: () => ok('exit_scam'),
  scope: () => ok('scope'),
  delisted: () => ok('delisted'),
};
const on = { maturity: true, rsiTime: true, exitScam: true };

describe('runEntryFilters', () => {
  it('runs maturity, RSI time filter, exit-scam, scope, delisted in that order', () => {
    const check = runEntryFilters('BTC', 'LONG', on, steps);
    expect(check.allowed).toBe(true);
    expect(check.decisions.map((d) => d.filter)).toEqual([
      'maturity',
      'rsi_time_filter',
      'exit_scam',
      'scope',
      'delisted',
    ]);
  });

  it('stops at the first refusal and names it', () => {
    let scopeRan = false;
    const check = runEntryFilters('BTC', 'SHORT', on, {
      ...steps,
      exitScam: () => ({ filter: 'exit_scam', allowed: false, reason: 'pump' }),
      scope: () => {
        scopeRan = true;
        return ok('scope');
      },
    });
    expect(check).toMatchObject({ allowed: false, blockedBy: 'exit_scam', reason: 'exit_scam: pump' });
    expect(check.decisions).toHaveLength(3);
    expect(scopeRan).toBe(false);
  });

  it('reports a switched-off filter as disabled without running it', () => {
    const check = runEntryFilters(
      'BTC',
      'LONG',
      { maturity: false, rsiTime: false, exitScam: true },
      {
        ...steps,
        maturity: () => {
          throw new Error('must not run');
        },
        rsiTime: () => ({ filter: 'rsi_time_filter', allowed: false, reason: 'no' }),
      },
    );
    expect(check.allowed).toBe(true);
    expect(check.decisions[0]).toEqual({ filter: 'maturity', allowed: true, reason: 'filter disabled' });
    expect(check.decisions[1].reason).toBe('filter disabled');
  });
});
