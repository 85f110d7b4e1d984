-- AlterTable
ALTER TABLE "Household" ADD COLUMN     "keyReason" TEXT;

-- AlterTable
ALTER TABLE "Region" ADD COLUMN     "visitDaysPerMonth" INTEGER,
ADD COLUMN     "visitKeyEveryDays" INTEGER;

-- CreateTable
CREATE TABLE "VisitReminder" (
    "personId" INTEGER NOT NULL,
    "period" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VisitReminder_pkey" PRIMARY KEY ("personId","period")
);
