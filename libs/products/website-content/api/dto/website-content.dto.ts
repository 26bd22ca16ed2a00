import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

/** `201 { jobId }`, as seed 003's create routes answer (inside the success envelope). */
export class CreatedJobResponse {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;

  @ApiProperty({ enum: ['queued'], description: 'In seed 003’s words; poll GET /api/v1/jobs/{jobId}/status' })
  status!: 'queued';
}

export class CreditEntryResponse {
  @ApiProperty({ enum: ['grant', 'reserve', 'capture', 'release'] })
  kind!: string;

  @ApiProperty({ minimum: 1 })
  amount!: number;

  @ApiProperty({ type: 'string', nullable: true, format: 'uuid' })
  jobId!: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  run!: number | null;

  @ApiProperty({ type: 'string', nullable: true })
  reason!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;
}

export class CreditsResponse {
  @ApiProperty()
  userId!: string;

  @ApiProperty({ description: 'Granted minus spent (captured)' })
  balance!: number;

  @ApiProperty({ description: 'Held for content generations queued or running' })
  reserved!: number;

  @ApiProperty({ description: 'balance − reserved: what a new content generation may reserve' })
  available!: number;

  @ApiProperty({ description: 'What one content generation costs (CONTENT_GENERATION_CREDITS)' })
  contentGenerationCost!: number;

  @ApiProperty({ type: [CreditEntryResponse], description: 'The newest ledger entries, newest first (at most 50)' })
  recent!: CreditEntryResponse[];
}

export class GrantCreditsRequest {
  @ApiProperty({ example: 'user-42', maxLength: 128 })
  @IsString()
  @Matches(/^[A-Za-z0-9._@:-]{1,128}$/, { message: 'userId must be 1-128 characters of A-Z a-z 0-9 . _ @ : -' })
  userId!: string;

  @ApiProperty({ minimum: 1, maximum: 1_000_000, example: 10 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  amount!: number;

  @ApiProperty({ example: 'Welcome credits', minLength: 1, maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;

  @ApiPropertyOptional({
    description: 'Makes the grant idempotent: a grant id seen before grants nothing again (default: a new id each time)',
    maxLength: 128,
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'grantId must be 1-128 characters of A-Z a-z 0-9 . _ : -' })
  grantId?: string;
}

export class GrantCreditsResponse extends CreditsResponse {
  @ApiProperty({ description: 'False when this grant id had been granted before (nothing changed)' })
  granted!: boolean;

  @ApiProperty()
  grantId!: string;
}
