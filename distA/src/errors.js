/**
 * The few typed errors of Minqing. Each sets `name`, and wraps its cause with `{ cause }`.
 * Messages never carry secrets or personal data.
 */
/** A setting is missing or wrong; `problems` has one line per problem. */
export class ConfigError extends Error {
    problems;
    name = 'ConfigError';
    constructor(problems) {
        super(problems.join('\n'));
        this.problems = problems;
    }
}
/** A stored resource or an input file could not be used as it is. */
export class DataError extends Error {
    name = 'DataError';
    constructor(message, options) {
        super(message, options);
    }
}
