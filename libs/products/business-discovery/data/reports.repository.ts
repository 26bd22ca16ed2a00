import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { plainString } from '@conveyor/database';
import { CompetitorReport, ReportPdf } from './report.schemas';
import type { CompetitorReportContent } from './report.types';

/** Competitor reports and their PDFs. */
@Injectable()
export class ReportsRepository {
  constructor(
    @InjectModel(CompetitorReport.name) private readonly reports: Model<CompetitorReport>,
    @InjectModel(ReportPdf.name) private readonly pdfs: Model<ReportPdf>,
  ) {}

  /** The report's place, `generating`, once (the discovery's first job names it before it exists). */
  async reserve(reportId: string, ownerKey: string): Promise<void> {
    await this.reports
      .updateOne(
        { _id: plainString(reportId) },
        {
          $setOnInsert: { owner_key: ownerKey, status: 'generating', content: null, pdf: null, created_at: new Date(), generated_at: null },
        },
        { upsert: true },
      )
      .exec();
  }

  /** The assembled report (a run again replaces it; the PDF's facts stay until its export runs again). */
  async saveContent(reportId: string, ownerKey: string, content: CompetitorReportContent): Promise<void> {
    await this.reports
      .updateOne(
        { _id: plainString(reportId), owner_key: plainString(ownerKey) },
        {
          $set: { status: 'ready', content, generated_at: new Date() },
          $setOnInsert: { created_at: new Date(), pdf: null },
        },
        { upsert: true },
      )
      .exec();
  }

  /** The PDF's bytes first, then its facts on the report: a reader that sees the facts finds the bytes. */
  async savePdf(reportId: string, ownerKey: string, data: Buffer, sha256: string): Promise<void> {
    await this.pdfs.replaceOne({ _id: plainString(reportId) }, { owner_key: ownerKey, data }, { upsert: true }).exec();
    await this.reports
      .updateOne(
        { _id: plainString(reportId), owner_key: plainString(ownerKey) },
        { $set: { pdf: { bytes: data.length, sha256, generated_at: new Date() } } },
      )
      .exec();
  }

  /** A report for its owner; any report for an administrator (`ownerKey` null). */
  async find(reportId: string, ownerKey: string | null): Promise<CompetitorReport | null> {
    const filter = ownerKey === null ? { _id: plainString(reportId) } : { _id: plainString(reportId), owner_key: plainString(ownerKey) };
    return this.reports.findOne(filter).lean<CompetitorReport>().exec();
  }

  async pdf(reportId: string): Promise<Buffer | null> {
    const found = await this.pdfs.findById(plainString(reportId)).lean<ReportPdf>().exec();
    if (!found) return null;
    // Lean reads give BSON Binary for Buffer fields.
    const data = found.data as unknown as Buffer | { buffer: Uint8Array };
    return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer);
  }
}
