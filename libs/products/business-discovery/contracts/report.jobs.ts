import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { defineJobType } from '@conveyor/contracts';
import { REPORT_GENERATION_QUEUE } from './business-discovery.queues';
import { ExportPdfReportResult, GenerateCompetitorReportResult, GenerateTrendAnalysisResult } from './business-discovery.results';

export class DiscoveryReportPayload {
  @ApiProperty({ format: 'uuid', description: 'The discovery (discover-with-instagram’s job id)' })
  @IsUUID()
  discoveryId!: string;
}

export class ExportPdfPayload {
  @ApiProperty({ format: 'uuid', description: 'The report (its discovery’s id)' })
  @IsUUID()
  reportId!: string;
}

export enum ReportStep {
  Assemble = 'Assembling report',
  StartPdf = 'Starting PDF export',
}

export const GENERATE_COMPETITOR_REPORT = 'generate-competitor-report';
export const GENERATE_TREND_ANALYSIS = 'generate-trend-analysis';
export const EXPORT_PDF_REPORT = 'export-pdf-report';

export const generateCompetitorReportJob = defineJobType({
  type: GENERATE_COMPETITOR_REPORT,
  queue: REPORT_GENERATION_QUEUE,
  resultEnvelope: true,
  description:
    'Seed 004: the competitor report of a discovery (businesses, handles, followers, cadence, median and outlier views, top ' +
    'reels with highlights, trends), kept in MongoDB (`GET /api/v1/reports/{reportId}`); then its PDF export.',
  payload: DiscoveryReportPayload,
  result: GenerateCompetitorReportResult,
  steps: [
    { name: ReportStep.Assemble, weight: 80 },
    { name: ReportStep.StartPdf, weight: 20 },
  ],
});

export const generateTrendAnalysisJob = defineJobType({
  type: GENERATE_TREND_ANALYSIS,
  queue: REPORT_GENERATION_QUEUE,
  resultEnvelope: true,
  description: 'Seed 004: trends across a discovery’s reels: views and posts per week, per business and overall, and their direction.',
  payload: DiscoveryReportPayload,
  result: GenerateTrendAnalysisResult,
  steps: [{ name: 'Analysing trends', weight: 1 }],
});

export const exportPdfReportJob = defineJobType({
  type: EXPORT_PDF_REPORT,
  queue: REPORT_GENERATION_QUEUE,
  resultEnvelope: true,
  description:
    'Seed 004: the report as a PDF (pdfkit): title page, a section per business with tables, a chart of views over time. ' +
    '`GET /api/v1/reports/{reportId}/pdf` downloads it.',
  payload: ExportPdfPayload,
  result: ExportPdfReportResult,
  steps: [{ name: 'Rendering PDF', weight: 1 }],
});
