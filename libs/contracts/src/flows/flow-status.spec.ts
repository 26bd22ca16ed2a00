import { JobStatus } from '../job-status';
import { FlowTreeNode } from './flow';
import { FanOutEnd, flowStatus } from './flow-status';

const node = (status: JobStatus, role: FlowTreeNode['role'], children: FlowTreeNode[] = []): FlowTreeNode => ({
  jobId: `${role}-${status}`,
  type: 't',
  queue: 'q',
  status,
  progress: 100,
  role,
  key: null,
  children,
});
const ended = (outcome: string): FanOutEnd => ({ endedAt: new Date(), outcome });

describe(flowStatus.name, () => {
  const root = (children: FlowTreeNode[], status = JobStatus.Completed) => node(status, 'root', children);

  it('is running until every job and every fan-out has ended', () => {
    expect(flowStatus(root([node(JobStatus.Completed, 'child')]), false, [ended('continued')])).toBe('running');
    expect(flowStatus(root([node(JobStatus.Completed, 'child')]), true, [{ endedAt: null, outcome: null }])).toBe('running');
  });

  it('is completed when a child failed under `continue` but its continuation completed', () => {
    const top = root([node(JobStatus.Failed, 'child'), node(JobStatus.Completed, 'continuation')]);
    expect(flowStatus(top, true, [ended('continued')])).toBe('completed');
  });

  it('is failed when the root, a continuation at any depth or a `fail` fan-out failed', () => {
    expect(flowStatus(root([node(JobStatus.Completed, 'child')], JobStatus.Failed), true, [ended('no-continuation')])).toBe('failed');
    const deep = root([node(JobStatus.Completed, 'child', [node(JobStatus.Failed, 'continuation')])]);
    expect(flowStatus(deep, true, [ended('no-continuation'), ended('continued')])).toBe('failed');
    expect(flowStatus(root([node(JobStatus.Failed, 'child')]), true, [ended('failed')])).toBe('failed');
  });

  it('is cancelled when the root or a fan-out was cancelled, whatever else failed', () => {
    expect(flowStatus(root([node(JobStatus.Cancelled, 'child')]), true, [ended('cancelled')])).toBe('cancelled');
    expect(flowStatus(root([], JobStatus.Cancelled), true, [ended('failed')])).toBe('cancelled');
  });
});
