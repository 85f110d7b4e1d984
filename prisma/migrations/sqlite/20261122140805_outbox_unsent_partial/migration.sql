-- DropIndex
DROP INDEX "OutboxMessage_channel_chatId_sentAt_idx";

-- DropIndex
DROP INDEX "OutboxMessage_sentAt_availableAt_idx";

-- CreateIndex
CREATE INDEX "OutboxMessage_availableAt_idx" ON "OutboxMessage"("availableAt") WHERE "sentAt" IS NULL AND "failedAt" IS NULL;

-- CreateIndex
CREATE INDEX "OutboxMessage_channel_chatId_idx" ON "OutboxMessage"("channel", "chatId") WHERE "sentAt" IS NULL AND "failedAt" IS NULL;
