import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorCode } from '@conveyor/contracts';
import { ApiErrorResponses, ApiSuccess, Caller, CurrentCaller, IdentityGuard, USER_ID_HEADER, jobIdPipeFor } from '@conveyor/http';
import { BusinessDiscoveryErrorCode } from './business-discovery.errors';
import { ReportResponse } from './report.response';
import { ReportsService } from './reports.service';

const REPORT_ID_PIPE = jobIdPipeFor('reportId');

/** Seed 004's reports: the competitor report of a discover-with-instagram flow, as JSON and as a PDF. */
@ApiTags('business-discovery')
@ApiHeader({ name: USER_ID_HEADER, required: false, description: 'Caller user id, set by the trusted gateway' })
@UseGuards(IdentityGuard)
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get(':reportId')
  @ApiOperation({
    summary: 'A competitor report (owner or admin)',
    description: 'Its id is the discover-with-instagram job’s (the job’s result names it). `generating` until its flow has assembled it.',
  })
  @ApiSuccess(ReportResponse, ApiOkResponse)
  @ApiErrorResponses(ErrorCode.ValidationFailed, ErrorCode.Unauthenticated, BusinessDiscoveryErrorCode.ReportNotFound)
  read(@CurrentCaller() caller: Caller, @Param('reportId', REPORT_ID_PIPE) reportId: string): Promise<ReportResponse> {
    return this.reports.read(caller, reportId);
  }

  @Get(':reportId/pdf')
  @ApiOperation({ summary: 'The report as a PDF download (owner or admin); 409 REPORT_NOT_READY until export-pdf-report has run' })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } })
  @ApiErrorResponses(
    ErrorCode.ValidationFailed,
    ErrorCode.Unauthenticated,
    BusinessDiscoveryErrorCode.ReportNotFound,
    BusinessDiscoveryErrorCode.ReportNotReady,
  )
  async pdf(@CurrentCaller() caller: Caller, @Param('reportId', REPORT_ID_PIPE) reportId: string, @Res() res: Response): Promise<void> {
    const { data, fileName } = await this.reports.pdf(caller, reportId);
    res.setHeader('content-type', 'application/pdf');
    res.setHeader('content-disposition', `attachment; filename="${fileName}"`);
    res.setHeader('content-length', String(data.length));
    res.end(data);
  }
}
