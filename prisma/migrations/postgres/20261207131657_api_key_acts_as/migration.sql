-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "actsAsId" INTEGER;

-- CreateIndex
CREATE INDEX "ApiKey_actsAsId_idx" ON "ApiKey"("actsAsId");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_actsAsId_fkey" FOREIGN KEY ("actsAsId") REFERENCES "StaffAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE;
