-- DropIndex
DROP INDEX "OutboxMessage_recipientId_channel_idx";

-- CreateIndex
CREATE INDEX "OutboxMessage_recipientId_idx" ON "OutboxMessage"("recipientId") WHERE "channel" IS NULL AND "sentAt" IS NULL AND "failedAt" IS NULL;
