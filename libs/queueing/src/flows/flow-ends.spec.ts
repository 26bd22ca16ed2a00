import { Logger } from '@nestjs/common';
import { FlowLink, JobStatus } from '@conveyor/contracts';
import { FanOut, FanOutsRepository, FlowMemberRecord, JobRecord, JobsRepository } from '@conveyor/database';
import { EndNotifications } from '../notifications/end-notifications';
import { FlowEnds } from './flow-ends';

const link = (role: FlowLink['role'], key: string): FlowLink => ({ rootId: 'root', parentId: 'root', step: 's', role, key });
const member = (id: string, status: JobStatus, flow: FlowLink | null, run = 1): FlowMemberRecord => ({
  _id: id,
  ownerKey: 'user:u1',
  type: 'test.probe',
  queue: 'http',
  status,
  run,
  progress: { percent: 100, step: null },
  callback: null,
  flow,
  createdAt: new Date(),
});
const fanOut = (endedAt: Date | null, outcome: FanOut['outcome']) => ({ _id: 'root:s', rootId: 'root', endedAt, outcome }) as FanOut;

describe(FlowEnds.name, () => {
  const flowEnded = jest.fn();
  let fanOuts: FanOut[];
  let root: FlowMemberRecord;
  let descendants: FlowMemberRecord[];
  const ofFlow = jest.fn(async () => fanOuts);
  const flowDescendants = jest.fn(async () => descendants);
  const sut = new FlowEnds(
    { findByIdUnscoped: async () => root as JobRecord, flowDescendants } as unknown as JobsRepository,
    { ofFlow } as unknown as FanOutsRepository,
    { flowEnded } as unknown as EndNotifications,
  );

  beforeEach(() => {
    fanOuts = [fanOut(new Date(), 'continued')];
    root = member('root', JobStatus.Completed, null);
    descendants = [
      member('c1', JobStatus.Completed, link('child', 'c1')),
      member('c2', JobStatus.Failed, link('child', 'c2'), 2),
      member('cont', JobStatus.Completed, link('continuation', 's')),
    ];
    flowEnded.mockReset();
    flowDescendants.mockClear();
  });

  it("tells a flow's end with its status, counts and the runs of all its jobs", async () => {
    await sut.check('root');
    expect(flowEnded).toHaveBeenCalledWith({
      rootId: 'root',
      rootType: 'test.probe',
      rootStatus: JobStatus.Completed,
      ownerKey: 'user:u1',
      status: 'completed',
      counts: { completed: 3, failed: 1 },
      total: 4,
      runs: 5,
    });
  });

  it('reads no further than it must: a job in no flow, or a fan-out still open, stops at the fan-outs', async () => {
    fanOuts = [];
    await sut.check('root');
    fanOuts = [fanOut(null, null)];
    await sut.check('root');
    expect(flowDescendants).not.toHaveBeenCalled();
    expect(flowEnded).not.toHaveBeenCalled();
  });

  it('tells nothing while the root or any job of the flow still runs', async () => {
    root = member('root', JobStatus.Active, null);
    await sut.check('root');
    expect(flowDescendants).not.toHaveBeenCalled();
    root = member('root', JobStatus.Completed, null);
    descendants[2] = member('cont', JobStatus.Waiting, link('continuation', 's'));
    await sut.check('root');
    expect(flowEnded).not.toHaveBeenCalled();
  });

  it('looks at a member’s end in the background, and shutdown waits for it', async () => {
    expect(sut.memberEnded('root')).toBeUndefined();
    expect(flowEnded).not.toHaveBeenCalled();
    await sut.beforeApplicationShutdown();
    expect(flowEnded).toHaveBeenCalledTimes(1);
  });

  it('never rejects', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    ofFlow.mockRejectedValueOnce(new Error('database down'));
    await expect(sut.check('root')).resolves.toBeUndefined();
    expect(Logger.prototype.warn).toHaveBeenCalledWith(
      { err: expect.objectContaining({ message: expect.stringContaining('database down') }) },
      expect.any(String),
    );
  });
});
