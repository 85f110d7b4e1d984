-- DropIndex
DROP INDEX "Timer_firedAt_dueAt_idx";

-- CreateIndex
CREATE INDEX "Timer_dueAt_idx" ON "Timer"("dueAt") WHERE "firedAt" IS NULL;
