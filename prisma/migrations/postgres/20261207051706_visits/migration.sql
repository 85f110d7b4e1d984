-- CreateTable
CREATE TABLE "Visit" (
    "id" SERIAL NOT NULL,
    "liaisonId" INTEGER NOT NULL,
    "householdId" INTEGER NOT NULL,
    "regionId" INTEGER NOT NULL,
    "notes" TEXT NOT NULL,
    "media" TEXT NOT NULL DEFAULT '[]',
    "visitedAt" TIMESTAMP(3) NOT NULL,
    "confirmation" TEXT NOT NULL DEFAULT 'pending',
    "comment" TEXT,
    "rating" INTEGER,
    "answeredById" INTEGER,
    "answeredAt" TIMESTAMP(3),

    CONSTRAINT "Visit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Visit_liaisonId_visitedAt_idx" ON "Visit"("liaisonId", "visitedAt");

-- CreateIndex
CREATE INDEX "Visit_householdId_visitedAt_idx" ON "Visit"("householdId", "visitedAt");

-- CreateIndex
CREATE INDEX "Visit_regionId_visitedAt_idx" ON "Visit"("regionId", "visitedAt");
