import { IsString, Matches } from 'class-validator';

/** A lock id in the path, as listed by GET /api/bots/locks (e.g. "max_drawdown-all-1767225600000"). */
export class LockIdParamDto {
  /** Lock id, e.g. cooldown-BTC-1767225600000 */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,80}$/, {
    message: 'id must be a lock id from GET /api/bots/locks (letters, digits, _ and -, at most 80)',
  })
  id: string;
}
