import { Model } from 'mongoose';

/**
 * A unique-index violation (E11000). MongoDB and FerretDB both report it for inserts and upserts;
 * FerretDB does not for updates (DESIGN §2), so uniqueness is claimed by inserting.
 */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}

/** Inserts one document; false when one with the same unique key already exists. */
export async function insertUnlessDuplicate<T>(model: Model<T>, document: T): Promise<boolean> {
  try {
    await model.create(document);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}
