import { Global, Module } from '@nestjs/common';
import { BotsModule } from '../bots/bots.module';
import { ENTRY_GUARD } from '../common/entry-guard';
import { ProtectionService } from './protection.service';
import { ProtectionsController } from './protections.controller';

/**
 * Account protections (docs/protections.md). Global so the entry pipeline below it (auto-bot, coin table) can
 * inject the EntryGuard port it defines in src/common without importing this module.
 */
@Global()
@Module({
  imports: [BotsModule],
  controllers: [ProtectionsController],
  providers: [ProtectionService, { provide: ENTRY_GUARD, useExisting: ProtectionService }],
  exports: [ProtectionService, ENTRY_GUARD],
})
export class ProtectionsModule {}
