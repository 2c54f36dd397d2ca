import * as ccxt from 'ccxt';
import {
  ExchangeAuthError,
  ExchangeError,
  ExchangeRateLimitError,
  ExchangeUnavailableError,
  InsufficientFundsError,
  InvalidOrderError,
  UnknownSymbolError,
} from '../exchange.errors';
import {
  bybitMalformedReason,
  bybitRetCode,
  isBybitRateLimitAnswer,
  mapCcxtError,
  rateLimitPauseMs,
  redactSecrets,
} from './ccxt-errors';

const context = { method: 'createMarketOrder', secrets: ['fake-api-key-123', 'super-secret-456'] };

describe('mapCcxtError', () => {
  it.each([
    ['NetworkError', ccxt.NetworkError, ExchangeUnavailableError],
    ['RequestTimeout', ccxt.RequestTimeout, ExchangeUnavailableError],
    ['ExchangeNotAvailable', ccxt.ExchangeNotAvailable, ExchangeUnavailableError],
    ['OnMaintenance', ccxt.OnMaintenance, ExchangeUnavailableError],
    ['DDoSProtection', ccxt.DDoSProtection, ExchangeUnavailableError],
    ['InvalidNonce', ccxt.InvalidNonce, ExchangeUnavailableError],
    ['NullResponse', ccxt.NullResponse, ExchangeUnavailableError],
    ['RateLimitExceeded', ccxt.RateLimitExceeded, ExchangeRateLimitError],
    ['AuthenticationError', ccxt.AuthenticationError, ExchangeAuthError],
    ['PermissionDenied', ccxt.PermissionDenied, ExchangeAuthError],
    ['InsufficientFunds', ccxt.InsufficientFunds, InsufficientFundsError],
    ['InvalidOrder', ccxt.InvalidOrder, InvalidOrderError],
    ['OrderNotFound', ccxt.OrderNotFound, InvalidOrderError],
    ['BadSymbol', ccxt.BadSymbol, UnknownSymbolError],
    ['BadRequest', ccxt.BadRequest, ExchangeError],
    ['ExchangeError', ccxt.ExchangeError, ExchangeError],
  ])('%s -> %p', (_name, CcxtClass, Expected) => {
    const mapped = mapCcxtError(new CcxtClass('bybit {"retCode":1}'), context);
    expect(mapped).toBeInstanceOf(Expected);
    expect(mapped.constructor).toBe(Expected);
    expect(mapped.method).toBe('createMarketOrder');
    expect(mapped.message).toBe('createMarketOrder: bybit {"retCode":1}');
  });

  it('marks exactly the transient classes retryable', () => {
    expect(mapCcxtError(new ccxt.RequestTimeout('t'), context).retryable).toBe(true);
    expect(mapCcxtError(new ccxt.RateLimitExceeded('r'), context).retryable).toBe(true);
    expect(mapCcxtError(new ccxt.AuthenticationError('a'), context).retryable).toBe(false);
    expect(mapCcxtError(new ccxt.InsufficientFunds('f'), context).retryable).toBe(false);
    expect(mapCcxtError(new ccxt.InvalidOrder('o'), context).retryable).toBe(false);
  });

  it('maps raw transport errors (e.g. undici body timeout) to unavailable, unknown errors to ExchangeError', () => {
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(mapCcxtError(socket, context)).toBeInstanceOf(ExchangeUnavailableError);
    const bug = new TypeError('x is undefined');
    const mapped = mapCcxtError(bug, context);
    expect(mapped.constructor).toBe(ExchangeError);
    expect(mapped.retryable).toBe(false);
  });

  it('keeps our own errors and their class', () => {
    const ours = new ExchangeUnavailableError('malformed answer to GET /v5/market/kline: result missing');
    const mapped = mapCcxtError(ours, context);
    expect(mapped).toBeInstanceOf(ExchangeUnavailableError);
    expect(mapped.message).toBe('createMarketOrder: malformed answer to GET /v5/market/kline: result missing');
  });

  it('never lets the key or the secret through', () => {
    const leaky = new ccxt.AuthenticationError(
      'bybit {"retCode":10004,"retMsg":"error sign! origin_string[1700000000000fake-api-key-1235000category=linear] super-secret-456"}',
    );
    const mapped = mapCcxtError(leaky, context);
    expect(mapped.message).not.toContain('fake-api-key-123');
    expect(mapped.message).not.toContain('super-secret-456');
    expect(mapped.message).toContain('origin_string[1700000000000***5000category=linear]');
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence and shortens very long texts', () => {
    expect(redactSecrets('a KEY1 b KEY1', ['KEY1', undefined])).toBe('a *** b ***');
    expect(redactSecrets('x'.repeat(1000), []).length).toBe(401);
  });
});

describe('bybitRetCode', () => {
  it('reads the retCode ccxt quotes in its message', () => {
    expect(bybitRetCode(new Error('bybit {"retCode":110072,"retMsg":"OrderLinkedID is duplicate"}'))).toBe(110072);
    expect(bybitRetCode(new Error('bybit {"retCode":"110043","retMsg":"leverage not modified"}'))).toBe(110043);
    expect(bybitRetCode(new Error('bybit {"ret_code":10006}'))).toBe(10006);
    expect(bybitRetCode(new Error('no code here'))).toBeUndefined();
  });
});

describe('rate limit answers', () => {
  const now = 1_700_000_000_000;
  it('recognises Bybit rate-limit answers', () => {
    expect(isBybitRateLimitAnswer(200, { retCode: 10006 })).toBe(true);
    expect(isBybitRateLimitAnswer(200, { retCode: '10018' })).toBe(true);
    expect(isBybitRateLimitAnswer(429, undefined)).toBe(true);
    expect(isBybitRateLimitAnswer(403, undefined)).toBe(true);
    expect(isBybitRateLimitAnswer(200, { retCode: 0 })).toBe(false);
  });

  it('pauses by Retry-After, else the reset timestamp, else the fallback', () => {
    expect(rateLimitPauseMs({ 'Retry-After': '2' }, now)).toBe(2000);
    expect(rateLimitPauseMs({ 'X-Bapi-Limit-Reset-Timestamp': String(now + 350) }, now)).toBe(350);
    expect(rateLimitPauseMs({ 'X-Bapi-Limit-Reset-Timestamp': String(now - 10) }, now)).toBe(1000);
    expect(rateLimitPauseMs({}, now)).toBe(1000);
    expect(rateLimitPauseMs({ 'retry-after': '3600' }, now)).toBe(10_000);
    expect(rateLimitPauseMs({ 'X-Bapi-Limit-Reset-Timestamp': String(now + 1) }, now)).toBe(50);
  });
});

describe('bybitMalformedReason', () => {
  const url = 'http://127.0.0.1:5099/v5/market/kline?symbol=BTCUSDT&category=linear';
  it('accepts sound answers and leaves error answers to ccxt', () => {
    expect(bybitMalformedReason(200, url, '{"retCode":0,"retMsg":"OK","result":{"list":[]}}')).toBeUndefined();
    expect(bybitMalformedReason(200, url, '{"retCode":10001,"retMsg":"params error","result":null}')).toBeUndefined();
    expect(bybitMalformedReason(503, url, '<html>down</html>')).toBeUndefined();
    expect(bybitMalformedReason(200, 'http://h/v5/position/trading-stop', '{"retCode":0,"result":{}}')).toBeUndefined();
  });

  it('flags what ccxt would silently accept', () => {
    expect(bybitMalformedReason(200, url, '')).toBe('empty body');
    expect(bybitMalformedReason(200, url, '{"retCode":0,"result":{"li')).toBe('body is not JSON');
    expect(bybitMalformedReason(200, url, '[1,2]')).toBe('body is not a JSON object');
    expect(bybitMalformedReason(200, url, '{"result":{"list":[]}}')).toBe('no retCode');
    expect(bybitMalformedReason(200, url, '{"retCode":0,"result":null}')).toBe('result missing');
    expect(bybitMalformedReason(200, url, '{"retCode":0,"result":{}}')).toBe('result.list missing');
    expect(bybitMalformedReason(200, 'http://h/v5/order/create', '{"retCode":"0","result":{"orderLinkId":"x"}}')).toBe(
      'result.orderId missing',
    );
  });
});
