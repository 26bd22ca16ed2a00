import { JobStatus } from '../job-status';
import { FlowMember, flowChildId, flowContinuationId, flowTree } from './flow';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const member = (jobId: string, status: JobStatus, flow: FlowMember['flow'], s: number, percent = 0): FlowMember => ({
  jobId,
  type: 't',
  queue: 'q',
  status,
  percent,
  flow,
  createdAt: at(s),
});
const link = (parentId: string, role: 'child' | 'continuation', key: string) => ({ rootId: 'root', parentId, step: 's', role, key });

describe('flow ids', () => {
  it('derive the same UUID for the same parent, step and key, and another for anything else', () => {
    expect(flowChildId('p', 's', 'a')).toBe(flowChildId('p', 's', 'a'));
    expect(flowChildId('p', 's', 'a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const others = [flowChildId('p', 's', 'b'), flowChildId('p', 't', 'a'), flowChildId('q', 's', 'a'), flowContinuationId('p', 's')];
    expect(new Set([flowChildId('p', 's', 'a'), ...others]).size).toBe(5);
  });
});

describe(flowTree.name, () => {
  const members = [
    member('root', JobStatus.Completed, null, 0),
    member('cont', JobStatus.Waiting, link('root', 'continuation', 's'), 1),
    member('b', JobStatus.Active, link('root', 'child', 'b'), 3, 50),
    member('a', JobStatus.Failed, link('root', 'child', 'a'), 2),
    member('a1', JobStatus.Completed, link('a', 'child', 'x'), 4),
  ];

  it('nests children under their parents, children by creation and continuations last, with counts and progress', () => {
    const built = flowTree('root', members)!;
    expect(built.tree.children.map((c) => [c.jobId, c.role, c.key])).toEqual([
      ['a', 'child', 'a'],
      ['b', 'child', 'b'],
      ['cont', 'continuation', 's'],
    ]);
    expect(built.tree.children[0].children.map((c) => c.jobId)).toEqual(['a1']);
    expect(built.counts).toEqual({ completed: 2, failed: 1, active: 1, waiting: 1 });
    expect(built.total).toBe(5);
    // Ended jobs count 100: (100 + 0 + 50 + 100 + 100) / 5.
    expect(built.progress).toBe(70);
    expect(built.finished).toBe(false);
  });

  it('builds the subtree of any member, and nothing for a job it does not hold', () => {
    const sub = flowTree('a', members)!;
    expect(sub.tree).toMatchObject({ jobId: 'a', role: 'root', key: null });
    expect(sub.total).toBe(2);
    expect(sub.finished).toBe(true);
    expect(flowTree('nope', members)).toBeUndefined();
  });
});
