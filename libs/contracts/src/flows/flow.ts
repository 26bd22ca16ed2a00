import { derivedUuid } from '../derived-uuid';
import { JobStatus, isTerminal } from '../job-status';

/** What to do with a fan-out's continuation when one of its children failed or was cancelled. */
export type ChildFailurePolicy = 'fail' | 'continue';

/** Where a job sits in a flow: kept on its record. */
export interface FlowLink {
  /** The job the flow started from. */
  rootId: string;
  /** The job whose fan-out made this one. */
  parentId: string;
  /** The parent's step that fanned out. */
  step: string;
  /** `child`: one of the fan-out's jobs (its key); `continuation`: the job that runs once they all ended. */
  role: 'child' | 'continuation';
  key: string;
}

/** One child a handler starts: its key is unique within the step and names it in the flow. */
export interface ChildJobSpec {
  key: string;
  type: string;
  data: object;
  /** Conveyor's priority (1 most urgent); the parent's when left out. */
  priority?: number;
  /** Attempts (within the queue's cap); the queue's default when left out. */
  attempts?: number;
}

/** A handler's fan-out from one of its steps. */
export interface FanOutRequest {
  children: ChildJobSpec[];
  /** A job started once every child has ended (fan-in), with the children's outcomes to read. */
  continuation?: { type: string; data: object; priority?: number; attempts?: number };
  /** `continue` (default): the continuation runs with what succeeded; `fail`: a failed child fails the fan-out, and no continuation runs. */
  onChildFailure?: ChildFailurePolicy;
}

/** What a fan-out started: the children's ids by key, and the continuation's id. */
export interface StartedFanOut {
  children: Array<{ key: string; jobId: string }>;
  continuationId: string | null;
}

/** A child's outcome as its continuation reads it. */
export interface FanInChild {
  key: string;
  jobId: string;
  type: string;
  status: JobStatus;
  /** The child's result (opened), when it completed. */
  result: unknown;
  error: { message: string; code: string } | null;
}

/** A continuation's options: its priority, and its attempts when the handler gave them. */
export function continuationOptions(priority: number, attempts: number | undefined): { priority: number; attempts?: number } {
  return { priority, ...(attempts !== undefined ? { attempts } : {}) };
}

/** Most children one fan-out may start (each is a record and a Bull job). */
export const MAX_FAN_OUT = 500;

/** A child's job id: the same for the same parent, step and key, so a redelivered parent never makes two. */
export function flowChildId(parentId: string, step: string, key: string): string {
  return derivedUuid(`conveyor-flow-child\n${parentId}\n${step}\n${key}`);
}

/** The continuation's job id: one per parent and step. */
export function flowContinuationId(parentId: string, step: string): string {
  return derivedUuid(`conveyor-flow-continuation\n${parentId}\n${step}`);
}

/** A job of a flow as the tree shows it. */
export interface FlowMember {
  jobId: string;
  type: string;
  queue: string;
  status: JobStatus;
  percent: number;
  flow: FlowLink | null;
  createdAt: Date;
  /** Its place in its parent's fan-out (children are listed in the order the handler gave them). */
  order?: number;
}

export interface FlowTreeNode {
  jobId: string;
  type: string;
  queue: string;
  status: JobStatus;
  progress: number;
  /** `root`, or the job's role under its parent. */
  role: 'root' | FlowLink['role'];
  key: string | null;
  children: FlowTreeNode[];
}

export interface FlowTree {
  tree: FlowTreeNode;
  /** Jobs of the tree per status. */
  counts: Partial<Record<JobStatus, number>>;
  total: number;
  /** Mean progress of every job of the tree (an ended one counts 100). */
  progress: number;
  /** Whether every job of the tree has ended. */
  finished: boolean;
}

/**
 * Builds the tree under `rootId` from the flow's members (the root and everything whose link
 * points into it), children in their fan-out's order (else creation order), continuations after
 * their siblings.
 */
export function flowTree(rootId: string, members: readonly FlowMember[]): FlowTree | undefined {
  const byParent = new Map<string, FlowMember[]>();
  for (const m of members) if (m.flow) byParent.set(m.flow.parentId, [...(byParent.get(m.flow.parentId) ?? []), m]);
  const root = members.find((m) => m.jobId === rootId);
  if (!root) return undefined;
  const counts: Partial<Record<JobStatus, number>> = {};
  let total = 0;
  let progressSum = 0;
  let finished = true;
  const visit = (m: FlowMember, seen: Set<string>): FlowTreeNode => {
    seen.add(m.jobId);
    const ended = isTerminal(m.status);
    const progress = ended ? 100 : m.percent;
    counts[m.status] = (counts[m.status] ?? 0) + 1;
    total++;
    progressSum += progress;
    finished &&= ended;
    const under = (byParent.get(m.jobId) ?? [])
      .filter((c) => !seen.has(c.jobId))
      .sort((a, b) => roleOrder(a) - roleOrder(b) || (a.order ?? 0) - (b.order ?? 0) || a.createdAt.getTime() - b.createdAt.getTime());
    return {
      jobId: m.jobId,
      type: m.type,
      queue: m.queue,
      status: m.status,
      progress,
      role: m.jobId === rootId ? 'root' : (m.flow?.role ?? 'root'),
      key: m.jobId === rootId ? null : (m.flow?.key ?? null),
      children: under.map((c) => visit(c, seen)),
    };
  };
  const tree = visit(root, new Set());
  return { tree, counts, total, progress: Math.round((progressSum / total) * 10) / 10, finished };
}

function roleOrder(m: FlowMember): number {
  return m.flow?.role === 'continuation' ? 1 : 0;
}
