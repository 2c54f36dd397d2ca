import { IsDefined, IsString } from 'class-validator';

export class SetTimeframeDto {
  /** New system timeframe, e.g. 6h (supported: see GET /api/bots/timeframe) */
  @IsDefined({ message: 'timeframe is required' })
  @IsString({ message: 'timeframe must be a string such as 6h' })
  timeframe: string;
}
