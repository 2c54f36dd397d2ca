import { Matches } from 'class-validator';
import { RUN_ID_PATTERN } from '../run-store';

export class RunIdParamDto {
  /** @example 'k3x9q2m1a7' */
  @Matches(RUN_ID_PATTERN, { message: 'id must be 6 to 32 lowercase letters or digits' })
  id: string;
}
