import { registerAs } from '@nestjs/config';
import { parseAppSettings, parseExchangeSettings } from './env';

/** Typed config namespaces; inject with @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>. */
export const appConfig = registerAs('app', () => parseAppSettings(process.env));
export const exchangeConfig = registerAs('exchange', () => parseExchangeSettings(process.env));
