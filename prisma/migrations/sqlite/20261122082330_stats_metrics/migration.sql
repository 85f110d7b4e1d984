-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN "acceptMinutes" INTEGER;
ALTER TABLE "Ticket" ADD COLUMN "acceptedOnTime" BOOLEAN;
ALTER TABLE "Ticket" ADD COLUMN "callbackRating" TEXT;
ALTER TABLE "Ticket" ADD COLUMN "callbackSolved" BOOLEAN;
ALTER TABLE "Ticket" ADD COLUMN "keywords" TEXT;
ALTER TABLE "Ticket" ADD COLUMN "resolveMinutes" INTEGER;
ALTER TABLE "Ticket" ADD COLUMN "resolvedOnTime" BOOLEAN;

-- CreateIndex
CREATE INDEX "Ticket_updatedAt_idx" ON "Ticket"("updatedAt");

-- Backfill: the statistics facts of tickets that existed before this migration, from
-- their audit trail (src/stats/metrics.ts keeps them from now on, with the same rules).
-- Minutes: whole minutes, rounded down, from receipt to the first 签收 / 办结.
UPDATE "Ticket" SET
  "acceptMinutes" = (
    SELECT CAST(round((julianday(e."at") - julianday("Ticket"."createdAt")) * 86400000) AS INTEGER) / 60000
    FROM "TicketEvent" e WHERE e."ticketId" = "Ticket"."id" AND e."type" = 'accepted' ORDER BY e."seq" LIMIT 1),
  "acceptedOnTime" = (
    SELECT CASE WHEN e."type" = 'accepted' THEN (json_extract(e."data", '$.late') IS NOT 1) ELSE 0 END
    FROM "TicketEvent" e
    WHERE e."ticketId" = "Ticket"."id"
      AND (e."type" = 'accepted' OR (e."type" = 'overdue' AND json_extract(e."data", '$.kind') = 'accept_overdue'))
    ORDER BY e."seq" LIMIT 1),
  "resolveMinutes" = (
    SELECT CAST(round((julianday(e."at") - julianday("Ticket"."createdAt")) * 86400000) AS INTEGER) / 60000
    FROM "TicketEvent" e WHERE e."ticketId" = "Ticket"."id" AND e."type" = 'resolved' ORDER BY e."seq" LIMIT 1),
  "resolvedOnTime" = (
    SELECT (json_extract(e."data", '$.onTime') IS 1)
    FROM "TicketEvent" e WHERE e."ticketId" = "Ticket"."id" AND e."type" = 'resolved' ORDER BY e."seq" LIMIT 1),
  "callbackRating" = (
    SELECT json_extract(e."data", '$.rating')
    FROM "TicketEvent" e WHERE e."ticketId" = "Ticket"."id" AND e."type" = 'callback' ORDER BY e."seq" DESC LIMIT 1),
  "callbackSolved" = (
    SELECT json_extract(e."data", '$.solved')
    FROM "TicketEvent" e WHERE e."ticketId" = "Ticket"."id" AND e."type" = 'callback' ORDER BY e."seq" DESC LIMIT 1);
