import { Transform } from 'class-transformer';

/** "true"/"false"/"1"/"0" (query strings, form posts) read as booleans; anything else is left for the validator. */
export function ToBoolean(): PropertyDecorator {
  return Transform(({ value }) => {
    if (value === 'true' || value === '1' || value === 1) return true;
    if (value === 'false' || value === '0' || value === 0) return false;
    return value;
  });
}

/** Numeric strings read as numbers; anything else is left for the validator (which names the field). */
export function ToNumber(): PropertyDecorator {
  return Transform(({ value }) =>
    typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value,
  );
}

/** Upper-cases strings (case-insensitive enums such as LONG/short). */
export function ToUpper(): PropertyDecorator {
  return Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value));
}
