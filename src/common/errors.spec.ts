import { ConflictError, DomainError, NotFoundError, UnavailableError, ValidationError } from './errors';

describe('domain errors', () => {
  it('carry their HTTP status, message and field', () => {
    const invalid = new ValidationError('leverage', 'config.leverage: BTC allows at most 100x (asked 125x)');
    expect(invalid).toBeInstanceOf(DomainError);
    expect(invalid).toMatchObject({
      httpStatus: 400,
      field: 'leverage',
      name: 'ValidationError',
      message: 'config.leverage: BTC allows at most 100x (asked 125x)',
    });
    expect(new NotFoundError('Bot not found')).toMatchObject({ httpStatus: 404, field: null, name: 'NotFoundError' });
    expect(new ConflictError('busy').httpStatus).toBe(409);
    expect(new UnavailableError('Exchange not initialized').httpStatus).toBe(503);
  });
});
