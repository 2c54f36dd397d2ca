import type { AutoBotConfig } from './defaults';

/** The two spellings of the break-even trigger (docs/settings.md): one setting, always stored equal. */
type BreakEvenTriggerKeys = Pick<AutoBotConfig, 'break_even_trigger_percent' | 'break_even_trigger'>;

/**
 * Makes the two break-even trigger keys of `values` (settings being written, or an override layer) equal, in place.
 * The one that changes wins: `break_even_trigger_percent` when both are given, unless it only repeats `current` while
 * `break_even_trigger` changes (a client echoing the whole config with only the old key edited). Without `current`
 * (a layer, an optimizer candidate) the percent spelling wins whenever it is given.
 */
export function mirrorBreakEvenTrigger(
  values: Record<string, unknown>,
  current?: Readonly<BreakEvenTriggerKeys>,
): void {
  const percent = values.break_even_trigger_percent;
  const legacy = values.break_even_trigger;
  if (percent !== undefined && percent !== current?.break_even_trigger_percent) {
    values.break_even_trigger = percent;
  } else if (legacy !== undefined && legacy !== current?.break_even_trigger) {
    values.break_even_trigger_percent = legacy;
  }
}
