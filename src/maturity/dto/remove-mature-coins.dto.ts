import { ArrayMaxSize, IsArray, IsDefined, IsString, MaxLength } from 'class-validator';
import { MAX_SYMBOL_LIST, SYMBOL_INPUT_MAX_LENGTH } from '../../common/symbol';

export class RemoveMatureCoinsDto {
  /** Symbols to drop from the mature-coin store, e.g. ["BTC", "ETHUSDT"] */
  @IsDefined({ message: 'coins is required' })
  @IsArray({ message: 'coins must be an array of symbols' })
  @ArrayMaxSize(MAX_SYMBOL_LIST)
  @IsString({ each: true, message: 'coins must contain only strings' })
  @MaxLength(SYMBOL_INPUT_MAX_LENGTH, { each: true })
  coins: string[];
}
