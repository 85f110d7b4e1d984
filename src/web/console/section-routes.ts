/**
 * The paths of the console's sections, known to the router at start while each section's
 * module is imported on its first request (router.ts): a serving process whose staff never
 * open a section does not hold its code.
 */

/** /console/assistance, /new, /ID, /ID/ACTION. */
export const ASSISTANCE_ROUTE = /^\/console\/assistance(?:\/(new|\d{1,9})(?:\/(village_approve|village_reject|township_approve|township_reject|deliver|follow_up|hardship))?)?$/;

/** /console/ledger, /new, /ID, /ID/edit, and the POSTs /ID/progress, /ID/close, /ID/flag, /ID/tickets, /ID/cases. */
export const LEDGER_ROUTE = /^\/console\/ledger(?:\/(new|\d{1,9})(?:\/(edit|progress|close|flag|tickets|cases))?)?$/;

/** /console/mediation, /new, /ID, /ID/dossier, /ID/dossier.pdf, /ID/ACTION. */
export const MEDIATION_ROUTE = /^\/console\/mediation(?:\/(new|\d{1,9})(?:\/(dossier|dossier\.pdf|session|agree|answer|extend|follow-up|refer|outcome|position))?)?$/;

/** /console/meetings, /settings (GET and POST), /ID, /ID/minutes, /ID/minutes.pdf, and the POSTs /ID/record, /ID/invited, /ID/agenda, /ID/decisions, /ID/decisions/DID/done. */
export const MEETINGS_ROUTE = /^\/console\/meetings(?:\/(settings|\d{1,9})(?:\/(record|invited|agenda|decisions|minutes|minutes\.pdf)(?:\/(\d{1,9})\/(done))?)?)?$/;

/** /console/themes, /new, /ID, /ID/tasks, /ID/tasks/TASK/done, /ID/tickets. */
export const THEME_ROUTE = /^\/console\/themes(?:\/(new|\d{1,9})(?:\/(tasks|tickets)(?:\/(\d{1,9})\/done)?)?)?$/;

/** /console/webhooks, /console/webhooks/NAME, and a subscriber's actions. */
export const WEBHOOKS_ROUTE = /^\/console\/webhooks(?:\/([a-z0-9][a-z0-9.-]{0,63})(?:\/(pause|resume|delete))?)?$/;
