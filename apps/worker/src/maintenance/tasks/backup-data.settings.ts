import { join } from 'node:path';
import { z } from 'zod';

/** The backup-data task's settings (README, "Backups"), read with loadSettings. */
export const backupSettingsSchema = z
  .object({
    /** Where backup folders go: a volume that outlives the worker (and is shared when several workers run). */
    BACKUP_DIR: z.string().min(1).default(join(process.cwd(), 'backups')),
    /** Complete backups kept; older ones are deleted after each successful backup. */
    BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  })
  .transform((s) => ({ dir: s.BACKUP_DIR, keep: s.BACKUP_KEEP }));

export type BackupSettings = z.infer<typeof backupSettingsSchema>;
