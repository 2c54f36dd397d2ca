import { ValidateBy, type ValidationOptions } from 'class-validator';
import { normalizeSymbol, SYMBOL_INPUT_MAX_LENGTH } from './symbol';

// Kept apart from symbol.ts so pure code (settings, the backtest worker) can use the symbol rules without loading
// class-validator.
/** class-validator: the value (or each element with `{each: true}`) is a well-formed symbol as above. */
export function IsCoinSymbol(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCoinSymbol',
      validator: {
        validate: (value: unknown) => normalizeSymbol(value) !== null,
        defaultMessage: (args) =>
          `${args?.property ?? 'symbol'} must ${options?.each ? 'contain only coin symbols' : 'be a coin symbol'} such as BTC or BTCUSDT (letters and digits, at most ${SYMBOL_INPUT_MAX_LENGTH} characters)`,
      },
    },
    options,
  );
}
