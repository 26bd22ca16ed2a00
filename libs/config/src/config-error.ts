/**
 * Thrown for bad environment variables: one line per problem, each naming the variable and the
 * rule it breaks, never its value (a value may be a secret: a token, a password in a URL).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(problems.map((problem) => `Invalid configuration: ${problem}`).join('\n'));
  }
}
