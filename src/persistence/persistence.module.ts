import { Global, Module } from '@nestjs/common';
import { DataFolderHealth } from './data-folder-health.service';
import { JsonStore } from './json-store.service';
import { StateRegistry } from './state-registry.service';

@Global()
@Module({
  providers: [JsonStore, StateRegistry, DataFolderHealth],
  exports: [JsonStore, StateRegistry, DataFolderHealth],
})
export class PersistenceModule {}
