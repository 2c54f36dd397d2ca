import { parseOptimizeArgs } from './optimize-cli-args';

describe('npm run optimize arguments', () => {
  it('maps flags onto the API request', () => {
    const { request, resume, threads } = parseOptimizeArgs([
      '--param',
      'rsi_long_threshold=20:35',
      '--param=leverage',
      '--objective',
      'calmar',
      '--budget=200',
      '--seed',
      '7',
      '--min-trades',
      '12',
      '--symbol',
      'BTC',
      '--threads',
      '2',
    ]);
    expect(request).toMatchObject({
      space: [{ key: 'rsi_long_threshold', min: 20, max: 35 }, { key: 'leverage' }],
      objective: 'calmar',
      budget: 200,
      seed: 7,
      constraints: { min_trades: 12 },
      scope: 'coin',
      symbol: 'BTC',
    });
    expect([resume, threads]).toEqual([null, 2]);
  });

  it('chooses the evaluator and the coins', () => {
    const { request } = parseOptimizeArgs(['--evaluator', 'synthetic', '--coins', 'BTC, ETH', '--candles', '800']);
    expect(request).toMatchObject({ evaluator: 'synthetic', data: { coins: ['BTC', 'ETH'], candles: 800 } });
    expect(() => parseOptimizeArgs(['--evaluator', 'python'])).toThrow(/^evaluator: /);
  });

  it('refuses what the API refuses, naming the field', () => {
    expect(() => parseOptimizeArgs(['--objective', 'luck'])).toThrow(/^objective: /);
    expect(() => parseOptimizeArgs(['--budget', '0'])).toThrow(/^budget: /);
    expect(() => parseOptimizeArgs(['--param', 'api_key'])).toThrow(/^space\.0\.key: /);
    expect(() => parseOptimizeArgs(['--max-drawdown', '120'])).toThrow(/^constraints\.max_drawdown_percent: /);
    expect(() => parseOptimizeArgs(['--param', 'leverage=1'])).toThrow('expected key or key=min:max');
    expect(() => parseOptimizeArgs(['--budget', 'many'])).toThrow('is not a number');
    expect(() => parseOptimizeArgs(['--resume', '../x'])).toThrow('not a run id');
    expect(() => parseOptimizeArgs(['--bogus', '1'])).toThrow('unknown option --bogus');
  });
});
