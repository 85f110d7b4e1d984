/**
 * Staff corrections teach the category matcher. Every 改类 is a `recategorised` event
 * of a ticket: the resident's words and the category staff say is right are a labelled
 * example for this county's matcher. At start the matcher learns every past correction;
 * then, each scheduler round, the ones made since (in this process's console or
 * another's), so every process of a deployment learns them.
 */
import { type Db, sqlOf } from '../db/client.js';
import { all, defineQuery } from '../db/sql.js';
import { logger } from '../log.js';
import { CATEGORY_CODES, type CategoryCode } from '../pipeline/states.js';
import type { CategoryClassifier } from './classifier.js';

const log = logger('classifier');

function isCategory(code: unknown): code is CategoryCode {
  return typeof code === 'string' && (CATEGORY_CODES as readonly string[]).includes(code);
}

/** The next `limit` corrections after event `afterId`, with the words of their tickets. */
const correctionsQuery = defineQuery('classifier_corrections', (db, p: { afterId: number; limit: number }) =>
  db
    .selectFrom('TicketEvent')
    .innerJoin('Ticket', 'Ticket.id', 'TicketEvent.ticketId')
    .select(['TicketEvent.id', 'TicketEvent.data', 'Ticket.summary', 'Ticket.description'])
    .where('TicketEvent.type', '=', 'recategorised')
    .where('TicketEvent.id', '>', p.afterId)
    .orderBy('TicketEvent.id')
    .limit(p.limit),
);

/** Feeds `classifier` the corrections recorded in `db`, each once. */
export class CorrectionLearner {
  /** The last correction event learned. */
  #lastId = 0;

  constructor(
    private readonly db: Db,
    private readonly classifier: CategoryClassifier,
  ) {}

  /** Learns the corrections made since the last call; resolves with how many. */
  async catchUp(batch = 1_000): Promise<number> {
    let learned = 0;
    for (;;) {
      const events = await all(sqlOf(this.db), correctionsQuery, { afterId: this.#lastId, limit: batch });
      for (const event of events) {
        this.#lastId = event.id;
        const to = (JSON.parse(event.data) as { to?: unknown }).to;
        const text = event.description || event.summary;
        if (!isCategory(to) || !text) continue;
        this.classifier.learn(text, to);
        learned += 1;
      }
      if (events.length < batch) break;
    }
    if (learned) log.info({ learned }, 'learned staff corrections of categories');
    return learned;
  }
}
