-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_OutboxMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "recipientId" INTEGER NOT NULL,
    "channel" TEXT,
    "chatId" TEXT,
    "ticketId" INTEGER,
    "template" TEXT NOT NULL,
    "params" TEXT NOT NULL DEFAULT '{}',
    "actions" TEXT NOT NULL DEFAULT '[]',
    "media" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL,
    "availableAt" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "claimedBy" TEXT,
    "claimedUntil" DATETIME,
    "sentAt" DATETIME,
    "failedAt" DATETIME,
    CONSTRAINT "OutboxMessage_recipientId_fkey" FOREIGN KEY ("recipientId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "OutboxMessage_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_OutboxMessage" ("actions", "attempts", "availableAt", "channel", "chatId", "claimedBy", "claimedUntil", "createdAt", "failedAt", "id", "lastError", "params", "recipientId", "sentAt", "template", "ticketId") SELECT "actions", "attempts", "availableAt", "channel", "chatId", "claimedBy", "claimedUntil", "createdAt", "failedAt", "id", "lastError", "params", "recipientId", "sentAt", "template", "ticketId" FROM "OutboxMessage";
DROP TABLE "OutboxMessage";
ALTER TABLE "new_OutboxMessage" RENAME TO "OutboxMessage";
CREATE INDEX "OutboxMessage_sentAt_availableAt_idx" ON "OutboxMessage"("sentAt", "availableAt");
CREATE INDEX "OutboxMessage_recipientId_idx" ON "OutboxMessage"("recipientId");
CREATE INDEX "OutboxMessage_channel_chatId_idx" ON "OutboxMessage"("channel", "chatId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
