-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Visit" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "liaisonId" INTEGER NOT NULL,
    "householdId" INTEGER NOT NULL,
    "regionId" INTEGER NOT NULL,
    "notes" TEXT NOT NULL,
    "media" TEXT NOT NULL DEFAULT '[]',
    "tickets" TEXT NOT NULL DEFAULT '[]',
    "visitedAt" DATETIME NOT NULL,
    "confirmation" TEXT NOT NULL DEFAULT 'pending',
    "comment" TEXT,
    "rating" INTEGER,
    "answeredById" INTEGER,
    "answeredAt" DATETIME
);
INSERT INTO "new_Visit" ("answeredAt", "answeredById", "comment", "confirmation", "householdId", "id", "liaisonId", "media", "notes", "rating", "regionId", "visitedAt") SELECT "answeredAt", "answeredById", "comment", "confirmation", "householdId", "id", "liaisonId", "media", "notes", "rating", "regionId", "visitedAt" FROM "Visit";
DROP TABLE "Visit";
ALTER TABLE "new_Visit" RENAME TO "Visit";
CREATE INDEX "Visit_liaisonId_visitedAt_idx" ON "Visit"("liaisonId", "visitedAt");
CREATE INDEX "Visit_householdId_visitedAt_idx" ON "Visit"("householdId", "visitedAt");
CREATE INDEX "Visit_regionId_visitedAt_idx" ON "Visit"("regionId", "visitedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
