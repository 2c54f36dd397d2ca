/**
 * The paper exchange's instrument list: about sixty well-known coins followed by generated
 * tickers, each with price level, volatility and trading rules that fit its price.
 * Names and statuses do not depend on the seed (so a saved paper account stays valid when the
 * seed changes); price level, volatility and the young/old split do.
 */
import type { InstrumentStatus } from '../exchange.types';
import { deriveKey, hashAt, hashString, toUint32, uniformAt } from './rng';

export const QUOTE = 'USDT';
export const MIN_NOTIONAL = 5;

/** Candles a young coin can have; the maturity rule wants 400, so these never qualify. */
export const YOUNG_MIN_CANDLES = 50;
export const YOUNG_MAX_CANDLES = 399;
/** Candles a mature coin has at least (the per-request maximum plus margin). */
export const MATURE_MIN_CANDLES = 1200;

export interface SymbolSpec {
  /** Position in the list (stable for a given symbolCount). */
  index: number;
  symbol: string;
  exchangeSymbol: string;
  status: InstrumentStatus;
  /** Price around which the simulated level wanders. */
  basePrice: number;
  tickSize: number;
  /** Decimals of tickSize: prices are rounded with 10^priceDecimals. */
  priceDecimals: number;
  qtyStep: number;
  qtyDecimals: number;
  minOrderQty: number;
  minNotional: number;
  maxLeverage: number;
  /** Standard deviation of a 6h log return in a normal-volatility regime. */
  sigma: number;
  /** Amplitude (log) of the slow level waves. */
  levelAmplitude: number;
  /** Probability that a given 6h candle is a pump/dump candle. */
  jumpRate: number;
  /** Typical turnover of one 6h candle, USDT. */
  turnover6h: number;
  /** Young coins are relisted on a rolling schedule so some are always below 400 candles; null = mature. */
  youngPhase: number | null;
  /** Listing time of a mature coin (ms), before the clock-dependent clamp. */
  listedAt: number;
  /** Key for this symbol's random streams. */
  key: number;
}

type Tier = 1 | 2 | 3;

/** [symbol, price level, tier]; tier 1 = majors, 2 = large alts, 3 = mid caps. */
const WELL_KNOWN: ReadonlyArray<readonly [string, number, Tier]> = [
  ['BTC', 80000, 1],
  ['ETH', 3100, 1],
  ['SOL', 140, 2],
  ['XRP', 2.1, 2],
  ['DOGE', 0.15, 2],
  ['1000PEPE', 0.0055, 3],
  ['BNB', 850, 2],
  ['ADA', 0.42, 2],
  ['LINK', 13, 2],
  ['AVAX', 14, 2],
  ['TRX', 0.28, 2],
  ['LTC', 85, 2],
  ['BCH', 520, 2],
  ['DOT', 2.4, 2],
  ['TON', 1.6, 2],
  ['SUI', 1.6, 2],
  ['NEAR', 2.1, 2],
  ['APT', 2.8, 3],
  ['ARB', 0.22, 3],
  ['OP', 0.33, 3],
  ['SEI', 0.14, 3],
  ['TIA', 0.75, 3],
  ['INJ', 6.5, 3],
  ['ATOM', 2.5, 3],
  ['FIL', 1.6, 3],
  ['ETC', 13, 3],
  ['XLM', 0.24, 3],
  ['HBAR', 0.14, 3],
  ['ICP', 4.2, 3],
  ['AAVE', 175, 3],
  ['UNI', 6.2, 3],
  ['LDO', 0.7, 3],
  ['CRV', 0.4, 3],
  ['SAND', 0.15, 3],
  ['MANA', 0.18, 3],
  ['AXS', 1.0, 3],
  ['APE', 0.33, 3],
  ['GALA', 0.0075, 3],
  ['IMX', 0.32, 3],
  ['RENDER', 1.7, 3],
  ['FET', 0.24, 3],
  ['WLD', 0.6, 3],
  ['JUP', 0.24, 3],
  ['PYTH', 0.07, 3],
  ['1000BONK', 0.0095, 3],
  ['WIF', 0.38, 3],
  ['1000FLOKI', 0.05, 3],
  ['SHIB1000', 0.0078, 3],
  ['ORDI', 4.8, 3],
  ['STX', 0.3, 3],
  ['ENA', 0.26, 3],
  ['ONDO', 0.48, 3],
  ['TAO', 280, 3],
  ['KAS', 0.048, 3],
  ['PENDLE', 2.4, 3],
  ['JTO', 0.45, 3],
  ['DYDX', 0.24, 3],
  ['GMX', 8.5, 3],
  ['RUNE', 0.7, 3],
  ['EGLD', 8, 3],
  ['ALGO', 0.13, 3],
  ['VET', 0.014, 3],
  ['GRT', 0.048, 3],
  ['THETA', 0.32, 3],
];

/** The first coins are never young: the majors must always be tradable by the maturity rule. */
const ALWAYS_MATURE = 20;
const YOUNG_SHARE = 0.08;
/** How many generated coins are delisted ('Closed') or being delivered. */
const NON_TRADING_STATUSES: readonly InstrumentStatus[] = ['Closed', 'Delivering', 'Closed'];

const NAME_KEY = 0x5eed_0a11;
const CONSONANTS = 'BCDFGHKLMNPRSTVXZ';
const SOFT = 'LRNSM';
const VOWELS = 'AEIOUY';
const SUFFIXES = ['AI', 'X', 'FI', 'DAO', 'INU', 'SWAP', 'NET', 'BOT', 'DEX', 'PAD'];

function pick(alphabet: string, h: number): string {
  return alphabet[h % alphabet.length];
}

/** A pronounceable ticker of 3-7 letters, sometimes with a crypto-ish suffix. */
function generatedName(n: number): string {
  const key = deriveKey(NAME_KEY, n);
  const patterns = ['CVC', 'CVCV', 'CVCC', 'CVSV', 'VCVC', 'CVCVC', 'CVSVC', 'CVVC', 'VCV'];
  const pattern = patterns[hashAt(key, 0) % patterns.length];
  let name = '';
  for (let i = 0; i < pattern.length; i++) {
    const h = hashAt(key, i + 1);
    const kind = pattern[i];
    name += kind === 'C' ? pick(CONSONANTS, h) : kind === 'S' ? pick(SOFT, h) : pick(VOWELS, h);
  }
  if (name.length <= 4 && hashAt(key, 20) % 7 === 0) name += SUFFIXES[hashAt(key, 21) % SUFFIXES.length];
  return name;
}

function decimalsOf(exponent: number): number {
  return Math.max(0, -exponent);
}

function powerOfTen(exponent: number): number {
  return Number(`1e${exponent}`);
}

/** Bybit-like rules: a tick is 1e-4 to 1e-5 of the price, one qty step is worth 1-10 USDT. */
export function tradingRules(price: number): {
  tickSize: number;
  priceDecimals: number;
  qtyStep: number;
  qtyDecimals: number;
} {
  const magnitude = Math.floor(Math.log10(price));
  const tickExponent = magnitude - (price >= 1000 ? 5 : 4);
  const qtyExponent = Math.ceil(Math.log10(1 / price));
  return {
    tickSize: powerOfTen(tickExponent),
    priceDecimals: decimalsOf(tickExponent),
    qtyStep: powerOfTen(qtyExponent),
    qtyDecimals: decimalsOf(qtyExponent),
  };
}

const DAY_MS = 86_400_000;
const EARLIEST_LISTING = Date.UTC(2019, 0, 1);
const LATEST_LISTING = Date.UTC(2024, 11, 1);

/** Builds the instrument list. Deterministic in (seed, count). */
export function buildUniverse(seed: number, count: number): SymbolSpec[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`symbolCount must be a positive integer, got ${count}`);
  }
  const seedKey = toUint32(seed);
  const names: Array<{ symbol: string; price: number | null; tier: Tier }> = [];
  const taken = new Set<string>();
  for (const [symbol, price, tier] of WELL_KNOWN) {
    if (names.length >= count) break;
    names.push({ symbol, price, tier });
    taken.add(symbol);
  }
  for (let n = 0; names.length < count; n++) {
    let symbol = generatedName(n);
    if (hashAt(deriveKey(NAME_KEY, n), 30) % 11 === 0) symbol = `1000${symbol}`;
    if (taken.has(symbol) || symbol === 'ALL') continue;
    taken.add(symbol);
    names.push({ symbol, price: null, tier: 3 });
  }

  const nonTrading = nonTradingIndices(names.length);
  return names.map((entry, index) => {
    const key = deriveKey(seedKey, hashString(entry.symbol));
    const u = (label: number) => uniformAt(key, label);
    const generated = entry.price === null;
    // Generated coins: log-uniform price 0.0002..12; the "1000" ones quote 1000 units of a tiny coin.
    const logUniform = (lo: number, hi: number) => Math.exp(Math.log(lo) + u(1) * Math.log(hi / lo));
    const generatedPrice = entry.symbol.startsWith('1000') ? logUniform(0.001, 3) : logUniform(0.0002, 12);
    const basePrice = generated ? generatedPrice : (entry.price as number) * Math.exp((u(3) - 0.5) * 0.2);
    const rules = tradingRules(basePrice);
    const tierSigma =
      entry.tier === 1 ? 0.011 + u(4) * 0.004 : entry.tier === 2 ? 0.017 + u(4) * 0.006 : 0.022 + u(4) * 0.012;
    const sigma = generated ? tierSigma * (1 + u(5) * 0.35) : tierSigma;
    const maxLeverage = entry.tier === 1 ? 100 : entry.tier === 2 ? 75 : generated && u(6) < 0.5 ? 25 : 50;
    const levelAmplitude = entry.tier === 1 ? 0.09 : entry.tier === 2 ? 0.2 : 0.25 + u(7) * 0.15;
    const jumpRate = entry.tier === 1 ? 0.0002 : entry.tier === 2 ? 0.0008 : 0.0012 + u(8) * 0.0018;
    const turnover6h =
      entry.tier === 1
        ? entry.symbol === 'BTC'
          ? 1.8e9
          : 8e8
        : entry.tier === 2
          ? 3e7 + u(9) * 2e8
          : Math.exp(Math.log(2e5) + u(9) * Math.log(3e7 / 2e5));
    const young = index >= ALWAYS_MATURE && u(10) < YOUNG_SHARE;
    const status = nonTrading.get(index) ?? 'Trading';
    return {
      index,
      symbol: entry.symbol,
      exchangeSymbol: `${entry.symbol}${QUOTE}`,
      status,
      basePrice,
      ...rules,
      minOrderQty: rules.qtyStep,
      minNotional: MIN_NOTIONAL,
      maxLeverage,
      sigma,
      levelAmplitude,
      jumpRate,
      turnover6h,
      youngPhase: young && status === 'Trading' ? hashAt(key, 11) % (YOUNG_MAX_CANDLES - YOUNG_MIN_CANDLES + 1) : null,
      listedAt: EARLIEST_LISTING + Math.floor((u(12) * (LATEST_LISTING - EARLIEST_LISTING)) / DAY_MS) * DAY_MS,
      key,
    };
  });
}

/** Picks the delisted/delivering coins among the generated ones, independent of the seed. */
function nonTradingIndices(count: number): Map<number, InstrumentStatus> {
  const result = new Map<number, InstrumentStatus>();
  const firstGenerated = WELL_KNOWN.length;
  if (count < firstGenerated + 20) return result;
  const candidates: Array<{ index: number; rank: number }> = [];
  for (let index = firstGenerated; index < count; index++) {
    candidates.push({ index, rank: hashAt(NAME_KEY ^ 0xdead, index) });
  }
  candidates.sort((a, b) => a.rank - b.rank);
  NON_TRADING_STATUSES.forEach((status, i) => result.set(candidates[i].index, status));
  return result;
}
