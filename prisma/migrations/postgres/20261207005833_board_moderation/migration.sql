-- AlterTable
ALTER TABLE "Region" ADD COLUMN     "boardMode" TEXT,
ADD COLUMN     "privateCategories" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "publicSummary" TEXT,
ADD COLUMN     "publishedAt" TIMESTAMP(3),
ADD COLUMN     "publishedById" INTEGER;
