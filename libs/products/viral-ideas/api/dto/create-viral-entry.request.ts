import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Transform, plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { CompetitorSelection, DEFAULT_RERUN_FREQUENCY_HOURS, DEFAULT_VIRAL_PRIORITY, MAX_COMPETITORS } from '../../contracts';

/**
 * Instagram-style handles: letters, digits, dots and underscores, not starting or ending with a
 * dot nor holding two in a row (a leading @ is dropped). So never `.` or `..`, which would walk
 * up the profile service's path.
 */
const USERNAME = /^@?(?!\.)(?!.*\.\.)[A-Za-z0-9._]{1,30}(?<!\.)$/;
const USERNAME_RULE = '1-30 letters, digits, dots or underscores, with no dot first, last or twice in a row';
const SESSION_ID = /^[A-Za-z0-9._:-]{1,255}$/;

export class CompetitorInput {
  @ApiProperty({ example: 'rival_creator' })
  @IsString()
  @Matches(USERNAME, { message: `username must be ${USERNAME_RULE}` })
  username!: string;

  @ApiPropertyOptional({ enum: CompetitorSelection, default: CompetitorSelection.Suggested })
  @IsOptional()
  @IsIn(Object.values(CompetitorSelection))
  selection_method?: CompetitorSelection;
}

/**
 * A competitor as given: a plain username (`"rival"`, how seed 001's worker lists them) or an
 * object with its selection method; arrays may mix both. Anything else becomes null, which the
 * validator refuses at the element's own place (`competitors.2`).
 */
function toCompetitorInput(value: unknown): CompetitorInput | null {
  if (typeof value === 'string') return plainToInstance(CompetitorInput, { username: value });
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return plainToInstance(CompetitorInput, value);
  return null;
}
const COMPETITOR_RULE = 'each competitor must be a username or an object { username, selection_method? }';

/** The viral-ideas form flow's submission: one entry with its competitors. */
@ApiExtraModels(CompetitorInput)
export class CreateViralEntryRequest {
  @ApiProperty({ example: 'user_session_xyz789', description: 'The form session; one entry per session' })
  @IsString()
  @Matches(SESSION_ID, { message: 'session_id must be 1-255 characters of A-Z a-z 0-9 . _ : -' })
  session_id!: string;

  @ApiProperty({ example: 'content_creator_123' })
  @IsString()
  @Matches(USERNAME, { message: `primary_username must be ${USERNAME_RULE}` })
  primary_username!: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { oneOf: [{ type: 'string', example: 'rival_creator' }, { $ref: getSchemaPath(CompetitorInput) }] },
    maxItems: MAX_COMPETITORS,
    description: 'Usernames, or objects with a selection method; both may be mixed (a plain username is `suggested`)',
    example: ['rival_creator', { username: 'other_rival', selection_method: 'manual' }],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_COMPETITORS)
  @ValidateNested({ each: true, message: COMPETITOR_RULE })
  // From the raw body, so the outcome does not depend on class-transformer's decorator order.
  @Transform(({ obj, key }) => (Array.isArray(obj[key]) ? (obj[key] as unknown[]).map(toCompetitorInput) : obj[key]))
  competitors?: CompetitorInput[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'ContentStrategyData from the form' })
  @IsOptional()
  @IsObject()
  content_strategy?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  analysis_settings?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: DEFAULT_VIRAL_PRIORITY, description: '1 is the most urgent' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  priority?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  auto_rerun_enabled?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 720, default: DEFAULT_RERUN_FREQUENCY_HOURS })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(720)
  rerun_frequency_hours?: number;
}
