import { Global, Module } from '@nestjs/common';
import { AutoBotConfigService } from './auto-bot-config.service';
import { IndividualSettingsService } from './individual-settings.service';
import { SystemConfigService } from './system-config.service';

/** Runtime settings kept in data/: system config, auto-bot config, per-coin overrides. */
@Global()
@Module({
  providers: [SystemConfigService, AutoBotConfigService, IndividualSettingsService],
  exports: [SystemConfigService, AutoBotConfigService, IndividualSettingsService],
})
export class SettingsModule {}
