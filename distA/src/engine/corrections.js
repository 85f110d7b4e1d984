import { logger } from '../log.js';
import { CATEGORY_CODES } from '../pipeline/states.js';
const log = logger('classifier');
function isCategory(code) {
    return typeof code === 'string' && CATEGORY_CODES.includes(code);
}
/** Feeds `classifier` the corrections recorded in `db`, each once. */
export class CorrectionLearner {
    db;
    classifier;
    /** The last correction event learned. */
    #lastId = 0;
    constructor(db, classifier) {
        this.db = db;
        this.classifier = classifier;
    }
    /** Learns the corrections made since the last call; resolves with how many. */
    async catchUp(batch = 1_000) {
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
                const to = JSON.parse(event.data).to;
                const text = event.ticket.description || event.ticket.summary;
                if (!isCategory(to) || !text)
                    continue;
                this.classifier.learn(text, to);
                learned += 1;
            }
            if (events.length < batch)
                break;
        }
        if (learned)
            log.info({ learned }, 'learned staff corrections of categories');
        return learned;
    }
}
