import { productErrorCode } from '@conveyor/contracts';

/** The product's own error codes. */
export const BusinessDiscoveryErrorCode = {
  /** No report by that id for this caller. */
  ReportNotFound: productErrorCode('REPORT_NOT_FOUND', 404),
  /** The report (or its PDF) is still being generated: its flow has not got there yet. */
  ReportNotReady: productErrorCode('REPORT_NOT_READY', 409),
} as const;
