import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock } from '../common/clock';
import { LockIdParamDto } from './dto/lock-id-param.dto';
import { LockRemovedResponseDto, LocksResponseDto, LockViewDto } from './dto/lock-view.dto';
import { ProtectionService } from './protection.service';

@ApiTags('protections')
@Controller('api/bots/locks')
export class ProtectionsController {
  constructor(
    private readonly protections: ProtectionService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Protection locks in force (max drawdown, stop-loss guard, daily loss, cooldown, low profit), soonest end first',
  })
  @ApiOkResponse({ type: LocksResponseDto })
  list(): LocksResponseDto {
    const now = this.clock.now();
    const locks = this.protections.activeLocks().map((lock) => LockViewDto.of(lock, now));
    return { success: true, locks, count: locks.length };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a lock now; its rule counts afresh from this moment (answered once saved)' })
  @ApiOkResponse({ type: LockRemovedResponseDto })
  @ApiNotFoundResponse({ description: 'No lock with this id' })
  async remove(@Param() params: LockIdParamDto): Promise<LockRemovedResponseDto> {
    const lock = await this.protections.remove(params.id);
    return { success: true, message: `Lock ${lock.id} removed`, lock: LockViewDto.of(lock, this.clock.now()) };
  }
}
