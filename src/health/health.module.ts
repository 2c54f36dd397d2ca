import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ProbesController } from './probes.controller';
import { ReadinessService } from './readiness.service';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';

@Global()
@Module({
  // Probe failures are logged by ReadinessService on change, not by terminus on every call.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [StatusController, ProbesController],
  providers: [StatusService, ReadinessService],
  exports: [StatusService, ReadinessService],
})
export class HealthModule {}
