-- AlterTable
ALTER TABLE "Visit" ADD COLUMN     "tickets" TEXT NOT NULL DEFAULT '[]';
