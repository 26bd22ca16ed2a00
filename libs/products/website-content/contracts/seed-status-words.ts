import { JobStatus, StatusVocabulary } from '@conveyor/contracts';

/**
 * Seed 003's status words: `queued`, `running`, `succeeded`, `failed`. A cancelled job reads
 * `failed` with the error `Cancelled` (the seed's worker marks it so at a step boundary).
 */
export const SEED_003_STATUS_WORDS: StatusVocabulary = {
  words: {
    [JobStatus.Waiting]: 'queued',
    [JobStatus.Delayed]: 'queued',
    [JobStatus.Active]: 'running',
    [JobStatus.Completed]: 'succeeded',
    [JobStatus.Failed]: 'failed',
    [JobStatus.Cancelled]: 'failed',
  },
  cancelledError: 'Cancelled',
};
