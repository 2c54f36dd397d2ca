import { AllowsExtraFields } from './open-schema';

/**
 * The envelope every JSON answer of the contract carries (docs/api-contract.md §1): `success`, plus `message`
 * on most answers. Response DTOs extend these so the generated OpenAPI document shows the whole answer.
 */
export class SuccessResponseDto {
  /**
   * True when the request did what it asked; a few soft failures answer 200 with false (see each endpoint).
   * @example true
   */
  success: boolean;
}

export class MessageResponseDto extends SuccessResponseDto {
  /**
   * What happened, for a person to read.
   * @example 'Bot BTC paused'
   */
  message: string;
}

/**
 * Every failure (docs/api-contract.md §1): 4xx for the caller's mistake, 5xx for ours or the exchange's. A few carry
 * more (close-position adds `message` and `errors`, import-config `applied`).
 */
@AllowsExtraFields()
export class ErrorResponseDto {
  /** @example false */
  success: boolean;
  /** What went wrong, naming the field or the missing thing. @example 'Bot not found' */
  error: string;
  /** The request field at fault, on validation errors. @example 'symbol' */
  field?: string;
}
