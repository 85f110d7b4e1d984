/**
 * Staff corrections teach the category matcher. Every 改类 is a `recategorised` event
 * of a ticket: the resident's words and the category staff say is right are a labelled
 * example for this county's matcher. At start the matcher learns every past correction;
 * then, each scheduler round, the ones made since (in this process's console or
 * another's), so every process of a deployment learns them.
 */
import type { Db } from '../db/client.js';
import { logger } from '../log.js';
import { CATEGORY_CODES, type CategoryCode } from '../pipeline/states.js';
import type { CategoryClassifier } from './classifier.js';

const log = logger('classifier');

function isCategory(code: unknown): code is CategoryCode {
  return typeof code === 'string' && (CATEGORY_CODES as readonly string[]).includes(code);
}

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
      const events = await this.db.ticketEvent.findMany({
        where: { type: 'recategorised', id: { gt: this.#lastId } },
        orderBy: { id: 'asc' },
        take: batch,
        select: { id: true, data: true, ticket: { select: { summary: true, description: true } } },
      });
      for (const event of events) {
        this.#lastId = event.id;
        const to = (JSON.parse(event.data) as { to?: unknown }).to;
        const text = event.ticket.description || event.ticket.summary;
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
