-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN "publicSummary" TEXT;
ALTER TABLE "Ticket" ADD COLUMN "publishedAt" DATETIME;
ALTER TABLE "Ticket" ADD COLUMN "publishedById" INTEGER;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Region" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "parentId" INTEGER,
    "publicBoard" BOOLEAN NOT NULL DEFAULT true,
    "boardMode" TEXT,
    "privateCategories" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Region_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Region" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Region" ("code", "createdAt", "id", "level", "name", "parentId", "publicBoard", "updatedAt") SELECT "code", "createdAt", "id", "level", "name", "parentId", "publicBoard", "updatedAt" FROM "Region";
DROP TABLE "Region";
ALTER TABLE "new_Region" RENAME TO "Region";
CREATE UNIQUE INDEX "Region_code_key" ON "Region"("code");
CREATE INDEX "Region_parentId_idx" ON "Region"("parentId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
