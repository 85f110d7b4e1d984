/**
 * The few typed errors of Minqing. Each sets `name`, and wraps its cause with `{ cause }`.
 * Messages never carry secrets or personal data.
 */

/** A setting is missing or wrong; `problems` has one line per problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** A stored resource or an input file could not be used as it is. */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
