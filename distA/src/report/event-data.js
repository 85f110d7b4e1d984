/**
 * Small helpers for reading the pipeline's rows in bulk: the JSON payload of a
 * TicketEvent, and id lists split to fit one statement.
 */
/** The `data` of a TicketEvent as an object; {} when it is not a JSON object. */
export function eventData(data) {
    try {
        const parsed = JSON.parse(data);
        return parsed !== null && typeof parsed === 'object' ? parsed : {};
    }
    catch {
        return {};
    }
}
/** Loads rows by id a few thousand ids per query: databases cap the parameters of one statement. */
export async function inChunks(ids, load) {
    const out = [];
    for (let i = 0; i < ids.length; i += 5000)
        out.push(...(await load(ids.slice(i, i + 5000))));
    return out;
}
