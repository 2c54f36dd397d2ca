/**
 * Port through which the status endpoints count the bots. Declared here, in the health module, and provided by the
 * bots module (BotRegistry) through BotsPortsModule, so health never imports bots. Optional: none → zero bots.
 */
export const BOT_COUNTS = Symbol('BOT_COUNTS');

export interface BotCountsPort {
  countBots(): { total: number; active: number; inPosition: number };
}
