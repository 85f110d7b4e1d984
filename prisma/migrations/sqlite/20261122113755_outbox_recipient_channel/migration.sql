-- DropIndex
DROP INDEX "OutboxMessage_recipientId_idx";

-- CreateIndex
CREATE INDEX "OutboxMessage_recipientId_channel_idx" ON "OutboxMessage"("recipientId", "channel");
