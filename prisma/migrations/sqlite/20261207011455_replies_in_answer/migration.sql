-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "inboundId" INTEGER;

-- CreateIndex
CREATE INDEX "OutboxMessage_inboundId_idx" ON "OutboxMessage"("inboundId") WHERE "inboundId" IS NOT NULL;
