-- AlterTable
ALTER TABLE "Household" ADD COLUMN "keyReason" TEXT;

-- AlterTable
ALTER TABLE "Region" ADD COLUMN "visitDaysPerMonth" INTEGER;
ALTER TABLE "Region" ADD COLUMN "visitKeyEveryDays" INTEGER;

-- CreateTable
CREATE TABLE "VisitReminder" (
    "personId" INTEGER NOT NULL,
    "period" TEXT NOT NULL,
    "sentAt" DATETIME NOT NULL,

    PRIMARY KEY ("personId", "period")
);
