import { FlowMemberRecord } from '@conveyor/database';

/** The jobs under `topId` (its children and theirs, at any depth) among a flow's members. */
export function flowSubtree(members: readonly FlowMemberRecord[], topId: string): FlowMemberRecord[] {
  const byParent = new Map<string, FlowMemberRecord[]>();
  for (const m of members) if (m.flow) byParent.set(m.flow.parentId, [...(byParent.get(m.flow.parentId) ?? []), m]);
  const found = new Map<string, FlowMemberRecord>();
  const walk = (id: string) => {
    for (const child of byParent.get(id) ?? []) {
      if (found.has(child._id)) continue;
      found.set(child._id, child);
      walk(child._id);
    }
  };
  walk(topId);
  return [...found.values()];
}
