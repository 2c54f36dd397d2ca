import { Logger, type ArgumentsHost } from '@nestjs/common';
import { NotFoundError, OperationFailedError, UnavailableError, ValidationError } from '../common/errors';
import { HttpExceptionFilter } from './http-exception.filter';

function answer(exception: unknown): { status: number; body: unknown } {
  const sent = { status: 0, body: undefined as unknown };
  const response = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
    },
    setHeader() {},
  };
  const request = { method: 'POST', path: '/api/bots/create' };
  const host = {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }),
  } as unknown as ArgumentsHost;
  new HttpExceptionFilter().catch(exception, host);
  return sent;
}

describe('HttpExceptionFilter and the domain errors', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('maps each domain error to its status and the {success:false, error, field?} body', () => {
    expect(answer(new ValidationError('leverage', 'config.leverage: BTC allows at most 100x (asked 125x)'))).toEqual({
      status: 400,
      body: { success: false, error: 'config.leverage: BTC allows at most 100x (asked 125x)', field: 'leverage' },
    });
    expect(answer(new NotFoundError('Bot not found'))).toEqual({
      status: 404,
      body: { success: false, error: 'Bot not found' },
    });
    expect(answer(new UnavailableError('Exchange not initialized'))).toEqual({
      status: 503,
      body: { success: false, error: 'Exchange not initialized' },
    });
  });

  it('adds the details to the body', () => {
    expect(
      answer(
        new OperationFailedError('Closing BTC failed', { message: 'Closing BTC failed', errors: ['Long: rejected'] }),
      ),
    ).toEqual({
      status: 500,
      body: { success: false, error: 'Closing BTC failed', message: 'Closing BTC failed', errors: ['Long: rejected'] },
    });
  });
});
