-- CreateTable
CREATE TABLE "HouseholdClaim" (
    "id" SERIAL NOT NULL,
    "claimantId" INTEGER NOT NULL,
    "householdId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "createdAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "decidedById" INTEGER,

    CONSTRAINT "HouseholdClaim_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "HouseholdClaim_claimantId_status_idx" ON "HouseholdClaim"("claimantId", "status");
