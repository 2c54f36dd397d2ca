import { ArrayMaxSize, IsArray, IsDefined, IsString } from 'class-validator';

export class RemoveMatureCoinsDto {
  /** Symbols to drop from the mature-coin store, e.g. ["BTC", "ETHUSDT"] */
  @IsDefined({ message: 'coins is required' })
  @IsArray({ message: 'coins must be an array of symbols' })
  @ArrayMaxSize(5000)
  @IsString({ each: true, message: 'coins must contain only strings' })
  coins: string[];
}
