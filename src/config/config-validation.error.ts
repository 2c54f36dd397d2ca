/** A configuration value outside its allowed range. The HTTP layer answers it with 400. */
export class ConfigValidationError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigValidationError';
  }
}
