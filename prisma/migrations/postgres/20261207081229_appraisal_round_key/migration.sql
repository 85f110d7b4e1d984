-- AlterTable
ALTER TABLE "Survey" ADD COLUMN     "roundKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Survey_roundKey_key" ON "Survey"("roundKey");
