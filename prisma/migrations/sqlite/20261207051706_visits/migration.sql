-- CreateTable
CREATE TABLE "Visit" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "liaisonId" INTEGER NOT NULL,
    "householdId" INTEGER NOT NULL,
    "regionId" INTEGER NOT NULL,
    "notes" TEXT NOT NULL,
    "media" TEXT NOT NULL DEFAULT '[]',
    "visitedAt" DATETIME NOT NULL,
    "confirmation" TEXT NOT NULL DEFAULT 'pending',
    "comment" TEXT,
    "rating" INTEGER,
    "answeredById" INTEGER,
    "answeredAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Visit_liaisonId_visitedAt_idx" ON "Visit"("liaisonId", "visitedAt");

-- CreateIndex
CREATE INDEX "Visit_householdId_visitedAt_idx" ON "Visit"("householdId", "visitedAt");

-- CreateIndex
CREATE INDEX "Visit_regionId_visitedAt_idx" ON "Visit"("regionId", "visitedAt");
