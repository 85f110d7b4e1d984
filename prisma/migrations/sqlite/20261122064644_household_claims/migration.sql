-- CreateTable
CREATE TABLE "HouseholdClaim" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "claimantId" INTEGER NOT NULL,
    "householdId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "createdAt" DATETIME NOT NULL,
    "decidedAt" DATETIME,
    "decidedById" INTEGER
);

-- CreateIndex
CREATE INDEX "HouseholdClaim_claimantId_status_idx" ON "HouseholdClaim"("claimantId", "status");
