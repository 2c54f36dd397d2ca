import { Test } from '@nestjs/testing';
import { autoMock, MemoryJsonStore } from '../../test/support/bot-manager-fixture';
import { Clock, ManualClock } from '../common/clock';
import { AutoBotConfigService } from '../config/auto-bot-config.service';
import { DEFAULT_AUTO_BOT_CONFIG, type AutoBotConfig } from '../config/defaults';
import { JsonStore } from '../persistence/json-store.service';
import { StateRegistry } from '../persistence/state-registry.service';
import { RsiService } from '../rsi/rsi.service';
import { MATURE_COINS_FILE, MaturityService } from './maturity.service';
import type { MatureCoinsFile } from './maturity.rules';

/** Calm alternating closes with one 20-candle rally and one 20-candle slide: a full RSI oscillation (>= 65, <= 35). */
function oscillating(length: number): number[] {
  const closes: number[] = [];
  let price = 100;
  for (let i = 0; i < length; i++) {
    const rally = i >= length - 300 && i < length - 280;
    const slide = i >= length - 150 && i < length - 130;
    price *= rally ? 1.01 : slide ? 0.99 : i % 2 === 0 ? 1.002 : 0.998;
    closes.push(price);
  }
  return closes;
}

/** Every close higher than the one before: RSI 100 throughout, never low. */
const rising = (length: number) => Array.from({ length }, (_, i) => 100 + i * 0.1);

/** MaturityService over mocked RSI candles (symbol → closes), the default 400 candles / RSI 35–65 on 6h. */
async function buildModule(stored?: MatureCoinsFile) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const store = new MemoryJsonStore();
  if (stored) store.files.set(MATURE_COINS_FILE, stored);
  const config: AutoBotConfig = {
    ...DEFAULT_AUTO_BOT_CONFIG,
    enable_maturity_check: true,
    min_candles_for_maturity: 400,
    min_rsi_low: 35,
    max_rsi_high: 65,
  };
  const candles = new Map<string, number[]>();
  const getMarketView = jest.fn((symbol: string) => {
    const closes = candles.get(symbol);
    return closes ? { symbol, timeframe: '6h', series: { closes: () => Float64Array.from(closes) } } : undefined;
  });
  const rsi = autoMock<RsiService>({ timeframe: '6h', getMarketView, getCoin: () => undefined, getCoins: () => [] });
  const moduleRef = await Test.createTestingModule({
    providers: [
      MaturityService,
      StateRegistry,
      { provide: Clock, useValue: clock },
      { provide: JsonStore, useValue: store },
      { provide: RsiService, useValue: rsi },
      { provide: AutoBotConfigService, useValue: autoMock<AutoBotConfigService>({ get: () => config }) },
    ],
  }).compile();
  // Failure branches log errors on purpose; the assertions say what happened.
  moduleRef.useLogger(false);
  await moduleRef.init();
  return { moduleRef, clock, store, config, candles, getMarketView, maturity: moduleRef.get(MaturityService) };
}

describe('MaturityService', () => {
  let t: Awaited<ReturnType<typeof buildModule>>;

  beforeEach(async () => {
    t = await buildModule();
  });
  afterEach(async () => t.moduleRef.close());

  it('a young coin (120 candles) is not mature and is not stored', () => {
    t.candles.set('NEW', oscillating(120));
    const verdict = t.maturity.check('NEW');
    expect(verdict).toMatchObject({ is_mature: false, reason: 'only 120 candles, needs 400' });
    expect(verdict!.details).toMatchObject({
      candles_count: 120,
      min_required: 400,
      rsi_min: null,
      rsi_max: null,
      timeframe: '6h',
    });
    expect(t.maturity.isMature('NEW')).toBe(false);
    expect(t.maturity.count()).toBe(0);
  });

  it('a coin whose RSI never went low is not mature (RSI 100 throughout)', () => {
    t.candles.set('UP', rising(1000));
    expect(t.maturity.check('UP')).toMatchObject({
      is_mature: false,
      reason: 'RSI min 100 > 35',
      details: { rsi_min: 100, rsi_max: 100, candles_count: 1000 },
    });
  });

  it('a coin that swung through both limits is stored as mature (sticky, saved on flush)', async () => {
    t.candles.set('OLD', oscillating(1000));
    const verdict = t.maturity.check('OLD')!;
    expect(verdict.is_mature).toBe(true);
    expect(verdict.details.rsi_min!).toBeLessThanOrEqual(35);
    expect(verdict.details.rsi_max!).toBeGreaterThanOrEqual(65);
    expect(t.maturity.isMature('OLD')).toBe(true);
    expect(t.maturity.matureSymbols()).toEqual(['OLD']);
    // Stored: the next check does not look at the candles again.
    t.getMarketView.mockClear();
    expect(t.maturity.check('OLD')).toEqual(verdict);
    expect(t.getMarketView).not.toHaveBeenCalled();
    await t.maturity.flush();
    const saved = t.store.files.get(MATURE_COINS_FILE) as MatureCoinsFile;
    expect(saved.OLD).toEqual({ timestamp: Math.floor(t.clock.now() / 1000), maturity_data: verdict });
  });

  it('no candles: no verdict', () => {
    expect(t.maturity.check('NONE')).toBeNull();
  });

  it('a stored record made under other settings is invalid: the coin is judged again', () => {
    t.candles.set('OLD', oscillating(1000));
    t.maturity.check('OLD');
    t.config.min_candles_for_maturity = 1200;
    expect(t.maturity.isMature('OLD')).toBe(false);
    expect(t.maturity.check('OLD')).toMatchObject({ is_mature: false, reason: 'only 1000 candles, needs 1200' });
  });

  it('with the check disabled every coin counts as mature', () => {
    t.config.enable_maturity_check = false;
    expect(t.maturity.isMature('ANY')).toBe(true);
  });

  it('drops records of other settings at load and removes coins on request', async () => {
    const details = {
      candles_count: 1000,
      min_required: 400,
      config_min_rsi_low: 35,
      config_max_rsi_high: 65,
      rsi_min: 20,
      rsi_max: 80,
      timeframe: '6h',
    };
    await t.moduleRef.close();
    t = await buildModule({
      KEEP: { timestamp: 1, maturity_data: { is_mature: true, details } },
      OTHER_TF: { timestamp: 1, maturity_data: { is_mature: true, details: { ...details, timeframe: '1h' } } },
    });
    expect(t.maturity.matureSymbols()).toEqual(['KEEP']);
    expect(Object.keys(t.store.files.get(MATURE_COINS_FILE) as MatureCoinsFile)).toEqual(['KEEP']);
    expect(await t.maturity.remove(['KEEP', 'MISSING'])).toEqual({ removed: ['KEEP'], notFound: ['MISSING'] });
    expect(t.store.files.get(MATURE_COINS_FILE)).toEqual({});
  });
});
