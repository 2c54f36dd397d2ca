import { JsonStore } from '../persistence/json-store.service';
import { AutoBotConfigService } from './auto-bot-config.service';
import type { AppSettings } from './env';
import { SystemConfigService } from './system-config.service';

/**
 * Checks the settings files before Nest starts, so an out-of-range value stops start-up
 * with one line naming the file, key and range instead of a framework stack trace.
 */
export async function preflightSettings(settings: AppSettings): Promise<void> {
  const store = new JsonStore({ dataDir: settings.dataDir } as AppSettings);
  await new SystemConfigService(store).onModuleInit();
  await new AutoBotConfigService(store).onModuleInit();
}
