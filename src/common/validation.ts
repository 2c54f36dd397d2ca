import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

function firstProblem(errors: ValidationError[], prefix = ''): string {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) {
      // A missing field is reported as missing, not as whatever else it then also fails (length, type).
      const text = error.constraints.isDefined ?? Object.values(error.constraints)[0];
      return text.includes(error.property) ? text.replace(error.property, field) : `${field}: ${text}`;
    }
    if (error.children?.length) return firstProblem(error.children, field);
  }
  return 'Invalid request';
}

/**
 * Known fields are validated and transformed; unknown fields are dropped, not rejected,
 * because the web UI echoes whole objects (computed keys included) back to the service.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    transform: true,
    validateCustomDecorators: true,
    exceptionFactory: (errors) =>
      new BadRequestException({ success: false, error: firstProblem(errors), field: errors[0]?.property }),
  });
}
