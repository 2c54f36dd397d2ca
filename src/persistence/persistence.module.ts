import { Global, Module } from '@nestjs/common';
import { JsonStore } from './json-store.service';
import { StateRegistry } from './state-registry.service';

@Global()
@Module({
  providers: [JsonStore, StateRegistry],
  exports: [JsonStore, StateRegistry],
})
export class PersistenceModule {}
