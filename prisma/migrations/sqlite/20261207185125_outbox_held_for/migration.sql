-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "heldFor" TEXT;
