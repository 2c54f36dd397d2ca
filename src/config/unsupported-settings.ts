import { ConfigValidationError } from './config-validation.error';

/**
 * Settings the original offered that this service does not carry out. Switching one on is refused (400) instead of
 * being stored and silently ignored (docs/settings.md, "Limit-order entry").
 */
export const LIMIT_ORDER_ENTRY_UNSUPPORTED =
  'limit_orders_entry_enabled: limit-order (ladder) entry is not supported by this service; every entry is a market order. Send false or leave it out';

/** Throws ConfigValidationError when validated `values` switch on an unsupported setting. */
export function refuseUnsupportedSettings(values: Readonly<Record<string, unknown>>): void {
  if (values.limit_orders_entry_enabled === true) {
    throw new ConfigValidationError('limit_orders_entry_enabled', LIMIT_ORDER_ENTRY_UNSUPPORTED);
  }
}
