/**
 * Domain errors: services throw these (never HTTP exceptions); the exception filter maps each to its status and the
 * `{success:false, error, field?}` body the clients read (src/app/http-exception.filter.ts).
 */
export abstract class DomainError extends Error {
  abstract readonly httpStatus: number;
  /** The request field the error is about, when there is one. */
  readonly field: string | null = null;

  /** `details`: extra keys of the answer body (e.g. the symbol and timeframe a refusal concerns). */
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The caller's input is wrong: 400 naming the field. */
export class ValidationError extends DomainError {
  readonly httpStatus = 400;
  override readonly field: string | null;

  constructor(field: string | null, message: string, details?: Readonly<Record<string, unknown>>) {
    super(message, details);
    this.field = field;
  }
}

/** An unknown bot, symbol or record: 404. */
export class NotFoundError extends DomainError {
  readonly httpStatus = 404;
}

/** The request collides with the current state (e.g. a bot already in a position): 409. */
export class ConflictError extends DomainError {
  readonly httpStatus = 409;
}

/** Something the request needs is not available now (exchange not ready, positions unreadable): 503. */
export class UnavailableError extends DomainError {
  readonly httpStatus = 503;
}

/** The operation failed on the service's or the exchange's side (the original answered 500): 500. */
export class OperationFailedError extends DomainError {
  readonly httpStatus = 500;
}
