import { ApiProperty } from '@nestjs/swagger';
import { isoLocal } from '../../common/clock';
import { PROTECTION_RULES } from '../rules/rule.types';
import type { ProtectionLock } from '../protection-locks';

/** One protection lock as the API shows it. */
export class LockViewDto {
  /** Id for DELETE /api/bots/locks/{id} */
  id: string;
  @ApiProperty({ enum: PROTECTION_RULES })
  rule: string;
  /** The locked coin, or null when every coin is locked */
  @ApiProperty({ type: String, nullable: true })
  symbol: string | null;
  @ApiProperty({ enum: ['account', 'coin'] })
  scope: 'account' | 'coin';
  reason: string;
  /** When the lock was set (local ISO time) */
  locked_at: string;
  /** When the lock ends (local ISO time) */
  until: string;
  locked_at_ms: number;
  until_ms: number;
  remaining_seconds: number;

  static of(lock: ProtectionLock, now: number): LockViewDto {
    return {
      id: lock.id,
      rule: lock.rule,
      symbol: lock.symbol,
      scope: lock.symbol === null ? 'account' : 'coin',
      reason: lock.reason,
      locked_at: isoLocal(lock.locked_at),
      until: isoLocal(lock.until),
      locked_at_ms: lock.locked_at,
      until_ms: lock.until,
      remaining_seconds: Math.max(0, Math.ceil((lock.until - now) / 1000)),
    };
  }
}

export class LocksResponseDto {
  success: boolean;
  @ApiProperty({ type: [LockViewDto] })
  locks: LockViewDto[];
  count: number;
}

export class LockRemovedResponseDto {
  success: boolean;
  message: string;
  lock: LockViewDto;
}
