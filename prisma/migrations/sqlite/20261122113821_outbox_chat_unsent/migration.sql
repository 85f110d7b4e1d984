-- DropIndex
DROP INDEX "OutboxMessage_channel_chatId_idx";

-- CreateIndex
CREATE INDEX "OutboxMessage_channel_chatId_sentAt_idx" ON "OutboxMessage"("channel", "chatId", "sentAt");
