-- DropIndex
DROP INDEX "InboundMessage_channel_messageId_key";

-- CreateTable
CREATE TABLE "HeldMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "inbound" TEXT NOT NULL,
    "heldAt" DATETIME NOT NULL,
    "releaseAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Conversation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "residentId" INTEGER NOT NULL,
    "regionId" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "channel" TEXT NOT NULL,
    "openedAt" DATETIME NOT NULL,
    "lastResidentAt" DATETIME NOT NULL,
    "lastStaffAt" DATETIME,
    "firstResponseAt" DATETIME,
    "staffReadAt" DATETIME,
    "closedAt" DATETIME,
    "closedById" INTEGER,
    "closeReason" TEXT,
    "ticketId" INTEGER,
    CONSTRAINT "Conversation_residentId_fkey" FOREIGN KEY ("residentId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Conversation_regionId_fkey" FOREIGN KEY ("regionId") REFERENCES "Region" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Conversation_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConversationMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "conversationId" INTEGER NOT NULL,
    "author" TEXT NOT NULL,
    "authorId" INTEGER,
    "text" TEXT NOT NULL,
    "media" TEXT NOT NULL DEFAULT '[]',
    "at" DATETIME NOT NULL,
    CONSTRAINT "ConversationMessage_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "action" TEXT NOT NULL,
    "actorId" INTEGER NOT NULL,
    "ticketId" INTEGER,
    "data" TEXT NOT NULL DEFAULT '{}',
    "at" DATETIME NOT NULL
);

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
    "reply" BOOLEAN NOT NULL DEFAULT false,
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
INSERT INTO "new_OutboxMessage" ("actions", "attempts", "availableAt", "channel", "chatId", "claimedBy", "claimedUntil", "createdAt", "failedAt", "id", "lastError", "media", "params", "recipientId", "sentAt", "template", "ticketId") SELECT "actions", "attempts", "availableAt", "channel", "chatId", "claimedBy", "claimedUntil", "createdAt", "failedAt", "id", "lastError", "media", "params", "recipientId", "sentAt", "template", "ticketId" FROM "OutboxMessage";
DROP TABLE "OutboxMessage";
ALTER TABLE "new_OutboxMessage" RENAME TO "OutboxMessage";
CREATE INDEX "OutboxMessage_availableAt_idx" ON "OutboxMessage"("availableAt") WHERE "sentAt" IS NULL AND "failedAt" IS NULL;
CREATE INDEX "OutboxMessage_recipientId_idx" ON "OutboxMessage"("recipientId") WHERE "channel" IS NULL AND "sentAt" IS NULL AND "failedAt" IS NULL;
CREATE INDEX "OutboxMessage_channel_chatId_idx" ON "OutboxMessage"("channel", "chatId") WHERE "sentAt" IS NULL AND "failedAt" IS NULL;
CREATE TABLE "new_Ticket" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "number" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "categoryCode" TEXT NOT NULL,
    "handlingClass" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "location" TEXT,
    "contactPhone" TEXT,
    "residentId" INTEGER NOT NULL,
    "householdId" INTEGER,
    "regionId" INTEGER NOT NULL,
    "gridId" INTEGER,
    "handlingRegionId" INTEGER NOT NULL,
    "level" TEXT NOT NULL,
    "assigneeId" INTEGER,
    "assigneeDepartmentId" INTEGER,
    "acceptBy" DATETIME,
    "resolveBy" DATETIME,
    "callbackBy" DATETIME,
    "pausedAt" DATETIME,
    "resumeState" TEXT,
    "extensionDays" INTEGER,
    "supervised" BOOLEAN NOT NULL DEFAULT false,
    "overdue" BOOLEAN NOT NULL DEFAULT false,
    "returnCount" INTEGER NOT NULL DEFAULT 0,
    "escalationCount" INTEGER NOT NULL DEFAULT 0,
    "reopenCount" INTEGER NOT NULL DEFAULT 0,
    "extensionCount" INTEGER NOT NULL DEFAULT 0,
    "rating" TEXT,
    "solved" BOOLEAN,
    "acceptedAt" DATETIME,
    "resolvedAt" DATETIME,
    "closedAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "mergedIntoId" INTEGER,
    "version" INTEGER NOT NULL DEFAULT 0,
    "acceptMinutes" INTEGER,
    "acceptedOnTime" BOOLEAN,
    "resolveMinutes" INTEGER,
    "resolvedOnTime" BOOLEAN,
    "callbackRating" TEXT,
    "callbackSolved" BOOLEAN,
    "keywords" TEXT,
    "media" TEXT NOT NULL DEFAULT '[]',
    "latitude" REAL,
    "longitude" REAL,
    CONSTRAINT "Ticket_categoryCode_fkey" FOREIGN KEY ("categoryCode") REFERENCES "Category" ("code") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Ticket_residentId_fkey" FOREIGN KEY ("residentId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Ticket_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Ticket_regionId_fkey" FOREIGN KEY ("regionId") REFERENCES "Region" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Ticket_gridId_fkey" FOREIGN KEY ("gridId") REFERENCES "Grid" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Ticket_handlingRegionId_fkey" FOREIGN KEY ("handlingRegionId") REFERENCES "Region" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Ticket_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "Person" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Ticket_assigneeDepartmentId_fkey" FOREIGN KEY ("assigneeDepartmentId") REFERENCES "Department" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Ticket" ("acceptBy", "acceptMinutes", "acceptedAt", "acceptedOnTime", "assigneeDepartmentId", "assigneeId", "callbackBy", "callbackRating", "callbackSolved", "categoryCode", "closedAt", "contactPhone", "createdAt", "description", "escalationCount", "extensionCount", "extensionDays", "gridId", "handlingClass", "handlingRegionId", "householdId", "id", "keywords", "kind", "level", "location", "mergedIntoId", "number", "overdue", "pausedAt", "rating", "regionId", "reopenCount", "residentId", "resolveBy", "resolveMinutes", "resolvedAt", "resolvedOnTime", "resumeState", "returnCount", "solved", "state", "summary", "supervised", "updatedAt", "version") SELECT "acceptBy", "acceptMinutes", "acceptedAt", "acceptedOnTime", "assigneeDepartmentId", "assigneeId", "callbackBy", "callbackRating", "callbackSolved", "categoryCode", "closedAt", "contactPhone", "createdAt", "description", "escalationCount", "extensionCount", "extensionDays", "gridId", "handlingClass", "handlingRegionId", "householdId", "id", "keywords", "kind", "level", "location", "mergedIntoId", "number", "overdue", "pausedAt", "rating", "regionId", "reopenCount", "residentId", "resolveBy", "resolveMinutes", "resolvedAt", "resolvedOnTime", "resumeState", "returnCount", "solved", "state", "summary", "supervised", "updatedAt", "version" FROM "Ticket";
DROP TABLE "Ticket";
ALTER TABLE "new_Ticket" RENAME TO "Ticket";
CREATE UNIQUE INDEX "Ticket_number_key" ON "Ticket"("number");
CREATE INDEX "Ticket_state_idx" ON "Ticket"("state");
CREATE INDEX "Ticket_regionId_idx" ON "Ticket"("regionId");
CREATE INDEX "Ticket_handlingRegionId_state_idx" ON "Ticket"("handlingRegionId", "state");
CREATE INDEX "Ticket_assigneeId_state_idx" ON "Ticket"("assigneeId", "state");
CREATE INDEX "Ticket_residentId_idx" ON "Ticket"("residentId");
CREATE INDEX "Ticket_createdAt_idx" ON "Ticket"("createdAt");
CREATE INDEX "Ticket_mergedIntoId_idx" ON "Ticket"("mergedIntoId");
CREATE INDEX "Ticket_updatedAt_idx" ON "Ticket"("updatedAt");
CREATE INDEX "Ticket_state_regionId_idx" ON "Ticket"("state", "regionId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "HeldMessage_releaseAt_idx" ON "HeldMessage"("releaseAt");

-- CreateIndex
CREATE UNIQUE INDEX "HeldMessage_channel_chatId_messageId_key" ON "HeldMessage"("channel", "chatId", "messageId");

-- CreateIndex
CREATE INDEX "Conversation_status_regionId_idx" ON "Conversation"("status", "regionId");

-- CreateIndex
CREATE INDEX "Conversation_residentId_status_idx" ON "Conversation"("residentId", "status");

-- CreateIndex
CREATE INDEX "Conversation_openedAt_idx" ON "Conversation"("openedAt");

-- CreateIndex
CREATE INDEX "ConversationMessage_conversationId_id_idx" ON "ConversationMessage"("conversationId", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_ticketId_idx" ON "AuditEvent"("ticketId");

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_at_idx" ON "AuditEvent"("actorId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_channel_chatId_messageId_key" ON "InboundMessage"("channel", "chatId", "messageId");
