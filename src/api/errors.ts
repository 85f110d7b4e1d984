/**
 * The REST API's refusal, apart from the code that reads tickets (tickets.ts): the
 * idempotency store (idempotency.ts, whose expired answers the scheduler forgets hourly)
 * and the webhook sender throw or recognise it without loading the API's ticket code,
 * Open311's and the public board's at start.
 */

/** An answer other than 200, with the status and a message for the client. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
