/** A downstream call that failed for good: its last status (if any) and why. */
export class DownstreamError extends Error {
  override readonly name = 'DownstreamError';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}
