import { ApiProperty } from '@nestjs/swagger';

/**
 * The result of one `viral-ideas.analysis` run as Swagger documents it (JobTypeDefinition.result):
 * a summary; the run's profiles, reels and ideas are stored with the entry's results
 * (GET /api/viral-analysis/{queue_id}/results).
 */
export class ViralIdeasAnalysisJobResult {
  @ApiProperty({ format: 'uuid', description: 'The queue entry the run analysed' })
  queueId!: string;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'The entry’s run this was (1 for its first)' })
  runNumber!: number;

  @ApiProperty({ enum: ['initial', 'recurring'] })
  runType!: 'initial' | 'recurring';

  @ApiProperty({ type: 'integer', description: 'Profiles fetched (the primary and the competitors that answered)' })
  profilesAnalysed!: number;

  @ApiProperty({ type: 'integer', description: 'Competitors that could not be fetched (the run went on without their new content)' })
  competitorsFailed!: number;

  @ApiProperty({ type: 'integer', description: 'Ideas generated' })
  ideas!: number;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Why there are no ideas (no idea service, or it returned none); null otherwise',
  })
  ideasNote!: string | null;
}
