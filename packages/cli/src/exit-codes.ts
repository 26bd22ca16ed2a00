/** What `conveyor` exits with: scripts tell a failed job from a refused request from a typo. */
export const ExitCode = {
  Ok: 0,
  /** The job watched ended failed. */
  JobFailed: 1,
  /** The job watched was cancelled. */
  JobCancelled: 2,
  /** The API refused the request (its error_code is printed) or could not be reached. */
  ApiError: 3,
  /** Bad flags or arguments, unreadable --data. */
  Usage: 4,
  /** Anything else: a bug, printed with its stack. */
  Unexpected: 5,
} as const;

/** Thrown for a mistake in the command line itself; main prints it and exits with ExitCode.Usage. */
export class UsageError extends Error {}
