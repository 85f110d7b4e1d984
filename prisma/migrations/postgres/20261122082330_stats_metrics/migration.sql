-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "acceptMinutes" INTEGER,
ADD COLUMN     "acceptedOnTime" BOOLEAN,
ADD COLUMN     "callbackRating" TEXT,
ADD COLUMN     "callbackSolved" BOOLEAN,
ADD COLUMN     "keywords" TEXT,
ADD COLUMN     "resolveMinutes" INTEGER,
ADD COLUMN     "resolvedOnTime" BOOLEAN;

-- CreateIndex
CREATE INDEX "Ticket_updatedAt_idx" ON "Ticket"("updatedAt");

-- Backfill: the statistics facts of tickets that existed before this migration, from
-- their audit trail (src/stats/metrics.ts keeps them from now on, with the same rules).
-- Minutes: whole minutes, rounded down, from receipt to the first 签收 / 办结.
UPDATE "Ticket" t SET
  "acceptMinutes" = (
    SELECT FLOOR(EXTRACT(EPOCH FROM (e."at" - t."createdAt")) / 60)::INTEGER
    FROM "TicketEvent" e WHERE e."ticketId" = t."id" AND e."type" = 'accepted' ORDER BY e."seq" LIMIT 1),
  "acceptedOnTime" = (
    SELECT CASE WHEN e."type" = 'accepted' THEN COALESCE((e."data"::jsonb ->> 'late') <> 'true', TRUE) ELSE FALSE END
    FROM "TicketEvent" e
    WHERE e."ticketId" = t."id"
      AND (e."type" = 'accepted' OR (e."type" = 'overdue' AND e."data"::jsonb ->> 'kind' = 'accept_overdue'))
    ORDER BY e."seq" LIMIT 1),
  "resolveMinutes" = (
    SELECT FLOOR(EXTRACT(EPOCH FROM (e."at" - t."createdAt")) / 60)::INTEGER
    FROM "TicketEvent" e WHERE e."ticketId" = t."id" AND e."type" = 'resolved' ORDER BY e."seq" LIMIT 1),
  "resolvedOnTime" = (
    SELECT COALESCE(e."data"::jsonb ->> 'onTime' = 'true', FALSE)
    FROM "TicketEvent" e WHERE e."ticketId" = t."id" AND e."type" = 'resolved' ORDER BY e."seq" LIMIT 1),
  "callbackRating" = (
    SELECT e."data"::jsonb ->> 'rating'
    FROM "TicketEvent" e WHERE e."ticketId" = t."id" AND e."type" = 'callback' ORDER BY e."seq" DESC LIMIT 1),
  "callbackSolved" = (
    SELECT (e."data"::jsonb ->> 'solved')::BOOLEAN
    FROM "TicketEvent" e WHERE e."ticketId" = t."id" AND e."type" = 'callback' ORDER BY e."seq" DESC LIMIT 1);
