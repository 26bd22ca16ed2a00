export * from './video-analyses.repository';
export * from './video-analysis-record.schema';
