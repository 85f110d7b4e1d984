-- AlterTable
ALTER TABLE "LedgerItem" ADD COLUMN "remindedWeek" TEXT;
