import { OkxDialect, okxBalanceFigures, okxMalformedReason, okxMarketInfo } from './okx';

describe('OKX dialect', () => {
  const dialect = new OkxDialect();

  it('reads an instrument in coins: lot and minimum size times the contract value', () => {
    const market = {
      id: 'BTC-USDT-SWAP',
      symbol: 'BTC/USDT:USDT',
      base: 'BTC',
      baseId: 'BTC',
      quote: 'USDT',
      settle: 'USDT',
      swap: true,
      linear: true,
      contractSize: 0.01,
      precision: { price: 0.1, amount: 1 },
      limits: { amount: { min: 1 }, leverage: { max: 100 } },
      info: {
        instId: 'BTC-USDT-SWAP',
        ctVal: '0.01',
        lotSz: '1',
        minSz: '3',
        tickSz: '0.1',
        lever: '100',
        listTime: '1611916800000',
        state: 'live',
      },
    };
    expect(okxMarketInfo(market as never)).toEqual({
      symbol: 'BTC',
      exchangeSymbol: 'BTC-USDT-SWAP',
      status: 'Trading',
      tickSize: 0.1,
      qtyStep: 0.01,
      minOrderQty: 0.03,
      minNotional: 5,
      maxLeverage: 100,
      launchTime: 1611916800000,
    });
    expect(okxMarketInfo({ ...market, info: { ...market.info, state: 'suspend' } } as never).status).toBe('Closed');
  });

  it('reads the USDT row of /account/balance; an account without USDT is a zero balance, no data is none', () => {
    const info = {
      code: '0',
      data: [
        {
          totalEq: '1010',
          adjEq: '1005',
          details: [{ ccy: 'USDT', eq: '1010', cashBal: '1000', availEq: '900', upl: '10' }],
        },
      ],
    };
    expect(okxBalanceFigures(info)).toEqual({
      equity: 1010,
      walletBalance: 1000,
      available: 900,
      unrealizedPnl: 10,
      marginBalance: 1005,
    });
    expect(okxBalanceFigures({ data: [{ totalEq: '0', details: [] }] })).toEqual({
      equity: 0,
      walletBalance: 0,
      available: undefined,
      unrealizedPnl: 0,
      marginBalance: 0,
    });
    expect(okxBalanceFigures({ data: [] })).toBeUndefined();
  });

  it('calls a 2xx answer malformed when it is not an OKX envelope with a data list, or an order answer without ordId', () => {
    const url = 'http://127.0.0.1:1/api/v5/trade/order';
    expect(okxMalformedReason(200, url, '', undefined)).toBe('empty body');
    expect(okxMalformedReason(200, url, '{}', {})).toBe('no code');
    expect(okxMalformedReason(200, url, 'x', { code: '0', data: null })).toBe('data missing');
    expect(okxMalformedReason(200, url, 'x', { code: '0', data: [{}] })).toBe('data[0].ordId missing');
    expect(okxMalformedReason(200, url, 'x', { code: '0', data: [{ ordId: '12' }] })).toBeUndefined();
    expect(okxMalformedReason(200, url, 'x', { code: '1', data: [{ sCode: '51008' }] })).toBeUndefined(); // an error: ccxt's to map
    expect(okxMalformedReason(503, url, '<html>', undefined)).toBeUndefined();
  });

  it("recognises rate limits, duplicate client ids (sCode before code) and keeps client ids in OKX's alphabet", () => {
    expect(dialect.isRateLimitAnswer(429, undefined)).toBe(true);
    expect(dialect.isRateLimitAnswer(200, { code: '50011' })).toBe(true);
    expect(dialect.isRateLimitAnswer(200, { code: '0' })).toBe(false);
    expect(
      dialect.isDuplicateClientOrderId(
        new Error('okx {"code":"1","data":[{"sCode":"51016","sMsg":"Duplicated clOrdId"}]}'),
      ),
    ).toBe(true);
    expect(dialect.isDuplicateClientOrderId(new Error('okx {"code":"1","data":[{"sCode":"51008"}]}'))).toBe(false);
    expect(dialect.clientOrderId('bot-7-1764892800000')).toBe('bot71764892800000');
    const long = dialect.clientOrderId('x'.repeat(40));
    expect(long).toMatch(/^b[0-9a-f]{31}$/);
    expect(dialect.clientOrderId('x'.repeat(40))).toBe(long);
    expect(dialect.newClientOrderId()).toMatch(/^[A-Za-z0-9]{1,32}$/);
  });
});
