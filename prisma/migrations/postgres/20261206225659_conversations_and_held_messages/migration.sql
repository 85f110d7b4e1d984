-- DropIndex
DROP INDEX "InboundMessage_channel_messageId_key";

-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "reply" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "latitude" DOUBLE PRECISION,
ADD COLUMN     "longitude" DOUBLE PRECISION,
ADD COLUMN     "media" TEXT NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "HeldMessage" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "inbound" TEXT NOT NULL,
    "heldAt" TIMESTAMP(3) NOT NULL,
    "releaseAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "HeldMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Conversation" (
    "id" SERIAL NOT NULL,
    "residentId" INTEGER NOT NULL,
    "regionId" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "channel" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL,
    "lastResidentAt" TIMESTAMP(3) NOT NULL,
    "lastStaffAt" TIMESTAMP(3),
    "firstResponseAt" TIMESTAMP(3),
    "staffReadAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "closedById" INTEGER,
    "closeReason" TEXT,
    "ticketId" INTEGER,

    CONSTRAINT "Conversation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConversationMessage" (
    "id" SERIAL NOT NULL,
    "conversationId" INTEGER NOT NULL,
    "author" TEXT NOT NULL,
    "authorId" INTEGER,
    "text" TEXT NOT NULL,
    "media" TEXT NOT NULL DEFAULT '[]',
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConversationMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" SERIAL NOT NULL,
    "action" TEXT NOT NULL,
    "actorId" INTEGER NOT NULL,
    "ticketId" INTEGER,
    "data" TEXT NOT NULL DEFAULT '{}',
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

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

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_residentId_fkey" FOREIGN KEY ("residentId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_regionId_fkey" FOREIGN KEY ("regionId") REFERENCES "Region"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationMessage" ADD CONSTRAINT "ConversationMessage_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
