import { JobStatus } from '@conveyor/contracts';
import { jobView } from './dto/job-response.fixture';
import { seedFields } from './job-reads.service';

const JOB_ID = '0b6b1c3e-6a3c-4f3e-9d53-2a9b0f4e7c10';
const times = { startedAt: '2026-01-01T00:00:10.000Z', finishedAt: '2026-01-01T00:00:55.000Z' };

describe(seedFields.name, () => {
  it("names what the view says in seed 004's words: attempts, completedAt, processingTime", () => {
    const view = seedFields(jobView(JOB_ID, JobStatus.Completed, { attemptsMade: 1, result: { n: 1 }, ...times }), false);
    expect(view).toMatchObject({ attempts: 1, completedAt: times.finishedAt, failedAt: null, processingTime: 45_000, result: { n: 1 } });
  });

  it('gives a failed job its failedAt, and a running one no processing time', () => {
    expect(seedFields(jobView(JOB_ID, JobStatus.Failed, times), false)).toMatchObject({ failedAt: times.finishedAt, completedAt: null });
    expect(seedFields(jobView(JOB_ID, JobStatus.Active, { startedAt: times.startedAt }), false).processingTime).toBeNull();
  });

  it('wraps a seed-004 type’s result as { success, data, processingTime }, keeping its own fields beside them', () => {
    const result = { businessesFound: 25, reportId: 'r1' };
    const view = seedFields(jobView(JOB_ID, JobStatus.Completed, { result, ...times }), true);
    expect(view.result).toEqual({ success: true, data: result, processingTime: 45_000, businessesFound: 25, reportId: 'r1' });
    // Not before it completed.
    expect(seedFields(jobView(JOB_ID, JobStatus.Active, { result: null }), true).result).toBeNull();
  });
});
