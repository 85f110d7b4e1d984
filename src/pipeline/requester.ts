/**
 * Whether a ticket has a resident to answer 有群众待答复.
 *
 * Almost every ticket is a resident's request: the resident is told its progress, asked to
 * rate it 回访, and counted in the figures. A meeting's decision recorded as a ticket
 * (src/meetings/decisions.ts) is work the township gives itself 交办: its `residentId` names
 * the staff member who recorded it (the column is required), who is not waiting for an
 * answer. Such a ticket is handled like any other, but nobody is told, asked to rate or
 * called back, and it is not counted as a resident's request.
 *
 * Derived from the channel it came by, in this one place, so that no column has to be
 * kept in step with it and older rows read right.
 */
import { sql, type RawBuilder } from 'kysely';

/** The channels (`Ticket.channel`) of work staff give themselves: no resident behind it. */
export const STAFF_CHANNELS: readonly string[] = ['meeting'];

/** Whether a ticket that came by `channel` has a resident to answer. */
export function hasResidentToAnswer(channel: string | null): boolean {
  return channel === null || !STAFF_CHANNELS.includes(channel);
}

/** {@link hasResidentToAnswer} in a query, on the ticket's channel `column` (e.g. 't.channel'). */
export function hasResidentToAnswerSql(column: string): RawBuilder<boolean> {
  const ref = sql.ref(column);
  return sql<boolean>`(${ref} is null or ${ref} not in (${sql.join(STAFF_CHANNELS.map((c) => sql.lit(c)))}))`;
}
