-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "channel" TEXT,
ADD COLUMN     "settledOnTheSpot" BOOLEAN NOT NULL DEFAULT false;

-- Backfill: the channel the intake event recorded, and 走访 for a need a liaison registered on a visit.
UPDATE "Ticket" t SET "channel" = (
    SELECT CASE WHEN (e."data"::jsonb ->> 'registeredBy') IS NOT NULL THEN 'visit' ELSE e."data"::jsonb ->> 'channel' END
    FROM "TicketEvent" e
    WHERE e."ticketId" = t."id" AND e."type" = 'received'
    ORDER BY e."seq" LIMIT 1
);
