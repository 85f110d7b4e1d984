-- CreateTable
CREATE TABLE "WebhookSubscriber" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "regionId" INTEGER,
    "secret" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "failingSince" TIMESTAMP(3),
    "pausedAt" TIMESTAMP(3),
    "pauseReason" TEXT,

    CONSTRAINT "WebhookSubscriber_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" SERIAL NOT NULL,
    "subscriberId" INTEGER NOT NULL,
    "eventId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "ticketId" INTEGER NOT NULL,
    "eventSeq" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "availableAt" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "payload" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "skipped" BOOLEAN NOT NULL DEFAULT false,
    "lastAttemptAt" TIMESTAMP(3),
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "claimedBy" TEXT,
    "claimedUntil" TIMESTAMP(3),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WebhookSubscriber_name_key" ON "WebhookSubscriber"("name");

-- CreateIndex
CREATE INDEX "WebhookDelivery_subscriberId_deliveredAt_id_idx" ON "WebhookDelivery"("subscriberId", "deliveredAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_subscriberId_eventId_key" ON "WebhookDelivery"("subscriberId", "eventId");

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "WebhookSubscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Which subscribers hear which events is kept per process with the reference data
-- (src/pipeline/reference.ts): a subscriber added, removed or re-aimed bumps its version.
-- Failures and pauses do not (a paused subscriber's events still queue).
CREATE TRIGGER "WebhookSubscriber_reference_version" AFTER INSERT OR DELETE OR TRUNCATE ON "WebhookSubscriber"
    FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_version"();

CREATE TRIGGER "WebhookSubscriber_aim_reference_version" AFTER UPDATE OF "events", "regionId" ON "WebhookSubscriber"
    FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_version"();
