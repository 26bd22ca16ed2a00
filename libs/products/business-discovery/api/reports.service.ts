import { Injectable } from '@nestjs/common';
import { ConveyorError, ownerKey } from '@conveyor/contracts';
import { Caller } from '@conveyor/http';
import { CompetitorReport, ReportsRepository } from '../data';
import { BusinessDiscoveryErrorCode } from './business-discovery.errors';
import { ReportResponse } from './report.response';

/** Reports for their owner, or an administrator; nobody else learns that one exists. */
@Injectable()
export class ReportsService {
  constructor(private readonly reports: ReportsRepository) {}

  async read(caller: Caller, reportId: string): Promise<ReportResponse> {
    const report = await this.find(caller, reportId);
    return {
      reportId: report._id,
      status: report.status,
      flow: `/api/v1/jobs/${report._id}/flow`,
      createdAt: new Date(report.created_at).toISOString(),
      generatedAt: report.generated_at ? new Date(report.generated_at).toISOString() : null,
      report: report.content,
      pdf: report.pdf && {
        bytes: report.pdf.bytes,
        sha256: report.pdf.sha256,
        generatedAt: new Date(report.pdf.generated_at).toISOString(),
        url: `/api/v1/reports/${report._id}/pdf`,
      },
    };
  }

  /** The PDF's bytes and a download name. */
  async pdf(caller: Caller, reportId: string): Promise<{ data: Buffer; fileName: string }> {
    const report = await this.find(caller, reportId);
    const data = report.pdf ? await this.reports.pdf(report._id) : null;
    if (!data)
      throw new ConveyorError(BusinessDiscoveryErrorCode.ReportNotReady, `Report ${reportId} has no PDF yet: its flow is still making it`);
    const name = report.content?.discovery.businessName ?? 'report';
    return {
      data,
      fileName: `competitor-report-${
        name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '') || 'report'
      }.pdf`,
    };
  }

  private async find(caller: Caller, reportId: string): Promise<CompetitorReport> {
    const report = await this.reports.find(reportId, caller.admin ? null : ownerKey(caller.owner));
    if (!report) throw new ConveyorError(BusinessDiscoveryErrorCode.ReportNotFound, `Report ${reportId} not found`);
    return report;
  }
}
