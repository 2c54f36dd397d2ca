import { Global, Module } from '@nestjs/common';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';

@Global()
@Module({
  controllers: [StatusController],
  providers: [StatusService],
  exports: [StatusService],
})
export class HealthModule {}
