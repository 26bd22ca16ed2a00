import { ApiProperty } from '@nestjs/swagger';
import type { CompetitorReportContent } from '../data';

export class ReportPdfFacts {
  @ApiProperty({ type: 'integer' })
  bytes!: number;

  @ApiProperty({ description: 'SHA-256 of the PDF, hex' })
  sha256!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  generatedAt!: string;

  @ApiProperty({ example: '/api/v1/reports/5c3e…/pdf' })
  url!: string;
}

/** `GET /api/v1/reports/{reportId}`. */
export class ReportResponse {
  @ApiProperty({ format: 'uuid', description: 'The discovery’s id (its discover-with-instagram job)' })
  reportId!: string;

  @ApiProperty({ enum: ['generating', 'ready'], description: '`generating` until its flow has assembled it' })
  status!: 'generating' | 'ready';

  @ApiProperty({ example: '/api/v1/jobs/5c3e…/flow', description: 'The flow that makes it' })
  flow!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  generatedAt!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'title, discovery, summary { businessesFound, withInstagram, withoutInstagram, videosAnalysed }, businesses [ { name, address, ' +
      'website, validation, instagram { handle, followers, medianViews, postsPerWeek, topReels [ { views, outlier_score, highlights } ] } ' +
      '| null, noInstagramReason, insights } ], trends { overall, byBusiness, direction }',
  })
  report!: CompetitorReportContent | null;

  @ApiProperty({ type: ReportPdfFacts, nullable: true, description: 'Once export-pdf-report has run' })
  pdf!: ReportPdfFacts | null;
}
