-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "media" TEXT NOT NULL DEFAULT '[]';
