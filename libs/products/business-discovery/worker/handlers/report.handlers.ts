import { Injectable } from '@nestjs/common';
import { JobStatus } from '@conveyor/contracts';
import { JobContext, JobHandler, JobHandlerContract, PermanentJobError } from '@conveyor/job-runtime';
import { createHash } from 'node:crypto';
import {
  DiscoveryReportPayload,
  EXPORT_PDF_REPORT,
  ExportPdfPayload,
  ReportStep,
  exportPdfReportJob,
  generateCompetitorReportJob,
  generateTrendAnalysisJob,
} from '../../contracts';
import { DiscoveriesRepository, DiscoveryBusiness, ReportsRepository, TrendAnalysis } from '../../data';
import { ownerKeyOf } from '../job-owner';
import { assembleReport } from '../report-content';
import { renderReportPdf } from '../report-pdf';
import { trendAnalysis } from '../trends';

function trendsOf(businesses: readonly DiscoveryBusiness[]): TrendAnalysis {
  return trendAnalysis(businesses.map((b) => ({ key: b.key, name: b.place.name, reels: b.instagram?.ranking?.reels ?? [] })));
}

/** Seed 004's `generate-trend-analysis`: views and posts per week across a discovery's reels. */
@JobHandler()
@Injectable()
export class GenerateTrendAnalysisHandler implements JobHandlerContract<DiscoveryReportPayload, TrendAnalysis> {
  readonly definition = generateTrendAnalysisJob;

  constructor(private readonly discoveries: DiscoveriesRepository) {}

  async run(ctx: JobContext<DiscoveryReportPayload>): Promise<TrendAnalysis> {
    const owner = ownerKeyOf(ctx);
    return ctx.step('Analysing trends', async () => {
      if (!(await this.discoveries.discovery(owner, ctx.payload.discoveryId)))
        throw new PermanentJobError(`Discovery ${ctx.payload.discoveryId} not found`);
      return trendsOf(await this.discoveries.ofDiscovery(owner, ctx.payload.discoveryId));
    });
  }
}

/** Seed 004's `generate-competitor-report`: the report kept in MongoDB, then its PDF export. */
@JobHandler()
@Injectable()
export class GenerateCompetitorReportHandler implements JobHandlerContract<DiscoveryReportPayload> {
  readonly definition = generateCompetitorReportJob;

  constructor(
    private readonly discoveries: DiscoveriesRepository,
    private readonly reports: ReportsRepository,
  ) {}

  async run(ctx: JobContext<DiscoveryReportPayload>) {
    const owner = ownerKeyOf(ctx);
    const { discoveryId } = ctx.payload;
    const content = await ctx.step(ReportStep.Assemble, async () => {
      const discovery = await this.discoveries.discovery(owner, discoveryId);
      if (!discovery) throw new PermanentJobError(`Discovery ${discoveryId} not found`);
      const businesses = await this.discoveries.ofDiscovery(owner, discoveryId);
      // The trend analysis before it, when it ran as its fan-in's child; else computed here.
      const child = (await ctx.fanInChildren()).find((c) => c.key === 'trends');
      const trends = child?.status === JobStatus.Completed ? (child.result as TrendAnalysis) : trendsOf(businesses);
      const assembled = assembleReport(discovery, businesses, trends);
      if (child && child.status !== JobStatus.Completed)
        assembled.notes.push(`The trend analysis job ${child.status}; trends were computed with the report.`);
      await this.reports.saveContent(discoveryId, owner, assembled);
      return assembled;
    });
    const started = await ctx.step(ReportStep.StartPdf, () =>
      ctx.fanOut({ children: [{ key: 'pdf', type: EXPORT_PDF_REPORT, data: { reportId: discoveryId } }] }),
    );
    return {
      reportId: discoveryId,
      report: `/api/v1/reports/${discoveryId}`,
      pdf: `/api/v1/reports/${discoveryId}/pdf`,
      pdfJobId: started.children[0]?.jobId ?? null,
      summary: content.summary,
    };
  }
}

/** Seed 004's `export-pdf-report`: the report rendered with pdfkit, kept in MongoDB beside it. */
@JobHandler()
@Injectable()
export class ExportPdfReportHandler implements JobHandlerContract<ExportPdfPayload> {
  readonly definition = exportPdfReportJob;

  constructor(private readonly reports: ReportsRepository) {}

  async run(ctx: JobContext<ExportPdfPayload>) {
    const owner = ownerKeyOf(ctx);
    const { reportId } = ctx.payload;
    return ctx.step('Rendering PDF', async () => {
      const report = await this.reports.find(reportId, owner);
      if (!report?.content) throw new PermanentJobError(`Report ${reportId} has not been generated (generate-competitor-report)`);
      const pdf = await renderReportPdf(report.content);
      const sha256 = createHash('sha256').update(pdf).digest('hex');
      await this.reports.savePdf(reportId, owner, pdf, sha256);
      return { reportId, bytes: pdf.length, sha256, pdf: `/api/v1/reports/${reportId}/pdf` };
    });
  }
}
