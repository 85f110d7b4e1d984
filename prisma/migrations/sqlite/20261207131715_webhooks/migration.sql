-- CreateTable
CREATE TABLE "WebhookSubscriber" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "regionId" INTEGER,
    "secret" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "failingSince" DATETIME,
    "pausedAt" DATETIME,
    "pauseReason" TEXT
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "subscriberId" INTEGER NOT NULL,
    "eventId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "ticketId" INTEGER NOT NULL,
    "eventSeq" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "availableAt" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "payload" TEXT,
    "deliveredAt" DATETIME,
    "skipped" BOOLEAN NOT NULL DEFAULT false,
    "lastAttemptAt" DATETIME,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "claimedBy" TEXT,
    "claimedUntil" DATETIME,
    CONSTRAINT "WebhookDelivery_subscriberId_fkey" FOREIGN KEY ("subscriberId") REFERENCES "WebhookSubscriber" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "WebhookSubscriber_name_key" ON "WebhookSubscriber"("name");

-- CreateIndex
CREATE INDEX "WebhookDelivery_subscriberId_deliveredAt_id_idx" ON "WebhookDelivery"("subscriberId", "deliveredAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_subscriberId_eventId_key" ON "WebhookDelivery"("subscriberId", "eventId");

-- Which subscribers hear which events is kept per process with the reference data
-- (src/pipeline/reference.ts): a subscriber added, removed or re-aimed bumps its version.
-- Failures and pauses do not (a paused subscriber's events still queue).
CREATE TRIGGER "WebhookSubscriber_insert_reference_version" AFTER INSERT ON "WebhookSubscriber"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;

CREATE TRIGGER "WebhookSubscriber_update_reference_version" AFTER UPDATE OF "events", "regionId" ON "WebhookSubscriber"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;

CREATE TRIGGER "WebhookSubscriber_delete_reference_version" AFTER DELETE ON "WebhookSubscriber"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
