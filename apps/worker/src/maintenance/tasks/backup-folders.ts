/** A backup folder's name: its start time, safe in file names, and a short run id. */
const COMPLETE = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3}Z)-[0-9a-f]{8}$/;
/** A backup still being written carries this suffix until it is renamed into place. */
const PARTIAL_SUFFIX = '.partial';
/** A partial folder this old is left from a crashed run (no backup takes a day). */
const STALE_PARTIAL_MS = 24 * 60 * 60_000;

/** `2025-01-31T03-30-00-000Z-1a2b3c4d`: sorts by time, and names the run that wrote it. */
export function backupFolderName(startedAt: Date, runId: string): string {
  if (!/^[0-9a-f]{8}$/.test(runId)) throw new Error(`A backup run id is 8 hex digits, not "${runId}"`);
  return `${startedAt.toISOString().replace(/[:.]/g, '-')}-${runId}`;
}

export function partialFolderName(name: string): string {
  return `${name}${PARTIAL_SUFFIX}`;
}

/**
 * The folders of `names` (BACKUP_DIR's entries) to delete after a successful backup: complete
 * backups beyond the newest `keep`, and partial ones left by crashed runs. Anything else in the
 * folder is not ours and is never touched.
 */
export function foldersToPrune(names: readonly string[], keep: number, now: Date): string[] {
  const complete = names.filter((name) => COMPLETE.test(name)).sort();
  const old = complete.slice(0, Math.max(0, complete.length - keep));
  const stalePartials = names.filter((name) => {
    if (!name.endsWith(PARTIAL_SUFFIX)) return false;
    const startedAt = startOf(name.slice(0, -PARTIAL_SUFFIX.length));
    return startedAt !== undefined && now.getTime() - startedAt.getTime() > STALE_PARTIAL_MS;
  });
  return [...old, ...stalePartials];
}

function startOf(name: string): Date | undefined {
  const match = COMPLETE.exec(name);
  return match ? new Date(`${match[1]}:${match[2]}:${match[3]}.${match[4]}`) : undefined;
}
