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
